/*
 * The Python subset PyTorch writes into a TorchScript archive's code/ folder. Parsed as data
 * only. INDENT/DEDENT tokens come from IndentingLexer (a subclass of the generated lexer),
 * which also drops newlines inside brackets and bounds bracket and block nesting.
 * Binary operators are loops, not left recursion, so a parse tree grows in depth only with
 * brackets and prefix operators (both bounded before parsing).
 */
grammar TorchScript;

tokens { INDENT, DEDENT }

file_input : (NEWLINE | stmt)* EOF ;

stmt : simple_stmt | compound_stmt ;

simple_stmt : small_stmt (';' small_stmt)* ';'? NEWLINE ;

small_stmt
  : 'pass'                                   # passStmt
  | 'break'                                  # breakStmt
  | 'continue'                               # continueStmt
  | 'return' testlist?                       # returnStmt
  | 'raise' test?                            # raiseStmt
  | 'assert' test (',' test)?                # assertStmt
  | test ':' test ('=' testlist)?            # annAssignStmt
  | testlist (augop testlist)                # augAssignStmt
  | testlist ('=' testlist)+                 # assignStmt
  | testlist                                 # exprStmt
  ;

augop : '+=' | '-=' | '*=' | '/=' | '//=' | '%=' ;

compound_stmt : if_stmt | for_stmt | while_stmt | funcdef | classdef ;

if_stmt : 'if' test ':' suite ('elif' test ':' suite)* ('else' ':' suite)? ;

for_stmt : 'for' testlist 'in' testlist ':' suite ;

while_stmt : 'while' test ':' suite ;

funcdef : 'def' NAME '(' params? ')' ('->' test)? ':' suite ;

params : param (',' param)* ','? ;

param : NAME (':' test)? ('=' test)? ;

classdef : 'class' NAME ('(' arglist? ')')? ':' suite ;

suite : simple_stmt | NEWLINE INDENT stmt+ DEDENT ;

/** A comma list; a tuple when a comma is present. */
testlist : test (',' test)* (trailing=',')? ;

test : or_test ('if' or_test 'else' test)? ;

or_test : and_test ('or' and_test)* ;

and_test : not_test ('and' not_test)* ;

not_test : 'not' not_test | comparison ;

comparison : bit_or (comp_op bit_or)* ;

comp_op : '<' | '>' | '==' | '>=' | '<=' | '!=' | 'in' | 'not' 'in' | 'is' | 'is' 'not' ;

bit_or : bit_xor ('|' bit_xor)* ;

bit_xor : bit_and ('^' bit_and)* ;

bit_and : shift ('&' shift)* ;

shift : arith (shift_op arith)* ;

shift_op : '<<' | '>>' ;

arith : term (arith_op term)* ;

arith_op : '+' | '-' ;

term : factor (term_op factor)* ;

term_op : '*' | '/' | '//' | '%' | '@' ;

factor : unary_op factor | power ;

unary_op : '+' | '-' | '~' ;

power : primary ('**' factor)? ;

primary : atom trailer* ;

trailer
  : '(' arglist? ')'                         # callTrailer
  | '[' subscriptlist ']'                    # subscriptTrailer
  | '.' NAME                                 # attrTrailer
  ;

atom
  : '(' testlist? ')'                        # parenAtom
  | '[' testlist? ']'                        # listAtom
  | '{' dictitems? '}'                       # dictAtom
  | NAME                                     # nameAtom
  | INT                                      # intAtom
  | FLOAT                                    # floatAtom
  | STRING+                                  # stringAtom
  | 'None'                                   # noneAtom
  | 'True'                                   # trueAtom
  | 'False'                                  # falseAtom
  | '...'                                    # ellipsisAtom
  ;

dictitems : test ':' test (',' test ':' test)* ','? ;

arglist : argument (',' argument)* ','? ;

argument : NAME '=' test | test ;

subscriptlist : subscript (',' subscript)* (trailing=',')? ;

subscript : test | lower=test? ':' upper=test? (':' step=test?)? ;

NEWLINE : '\r'? '\n' [ \t\f]* ;

NAME : [a-zA-Z_] [a-zA-Z_0-9]* ;

FLOAT
  : DIGITS '.' DIGITS? EXPONENT?
  | '.' DIGITS EXPONENT?
  | DIGITS EXPONENT
  ;

INT : DIGITS | '0' [xX] [0-9a-fA-F]+ | '0' [oO] [0-7]+ | '0' [bB] [01]+ ;

STRING
  : '"' (ESC | ~["\\\r\n])* '"'
  | '\'' (ESC | ~['\\\r\n])* '\''
  ;

fragment DIGITS : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;
fragment ESC : '\\' . ;

COMMENT : '#' ~[\r\n]* -> skip ;

LINE_CONTINUATION : '\\' '\r'? '\n' -> skip ;

WS : [ \t\f]+ -> skip ;

/** Any other character: the parser reports it at its position. */
ERROR_CHAR : . ;
