// The .wir text form of a Weft module. WirPrinter writes exactly this; WirBuilder turns a
// parse tree into IR. Keywords may also be used as names (attribute `dtype`, op `type`), so
// every place that takes a bare name accepts them; the printer quotes only what IDENT can't spell.
grammar Wir;

file       : (moduleDecl | graph) EOF ;
moduleDecl : 'module' '{' meta* graph '}' ;
meta       : 'meta' STRING '=' STRING ;

graph      : 'graph' GRAPH_ID '(' (param (',' param)*)? ')' '->' '(' (VALUE_ID (',' VALUE_ID)*)? ')'
             '{' node* '}' ;
param      : VALUE_ID ':' type ;

node       : (result (',' result)* '=')? opName '(' (operand (',' operand)*)? ')' attrDict? location? ;
result     : VALUE_ID (':' type)? ;
operand    : VALUE_ID | '_' ;
opName     : name | STRING ;

attrDict   : '{' (attr (',' attr)*)? '}' ;
attr       : (name | STRING) '=' attrValue ;
attrValue
  : number                                                             # numberAttr
  | STRING                                                             # stringAttr
  | listKind? '[' (attrValue (',' attrValue)*)? ']'                    # listAttr
  | 'dense' '<' type '>' '[' (element (',' element)*)? ']'             # denseAttr
  | 'dense_resource' '<' type '>' STRING 'offset' INT 'length' INT     # resourceAttr
  | graph                                                              # graphAttr
  | 'type' '<' type '>'                                                # typeAttr
  | 'dtype' '<' name '>'                                               # dtypeAttr
  ;
// Only an empty list needs its kind spelled out; a non-empty one takes it from its items.
listKind   : 'ints' | 'floats' | 'strs' | 'graphs' ;

element    : number | STRING | 'true' | 'false' | '(' number ',' number ')' ;
number     : '-'? (INT | FLOAT | 'inf' | 'nan') | 'nan' '(' HEX ')' | HEX ;

type       : 'seq' '<' type '>'     # seqType
           | 'opt' '<' type '>'     # optType
           | name shape             # tensorType
           ;
shape      : '[' '*' ']' | '[' (dim (',' dim)*)? ']' ;
dim        : INT | name | STRING ;

location   : 'loc' '(' (STRING | '_') (STRING | '_') (signedInt ':' signedInt)? ')' ;
signedInt  : '-'? INT ;

name       : IDENT | 'module' | 'meta' | 'graph' | 'dense' | 'dense_resource' | 'offset' | 'length'
           | 'type' | 'dtype' | 'seq' | 'opt' | 'loc' | 'ints' | 'floats' | 'strs' | 'graphs'
           | 'true' | 'false' | 'inf' | 'nan' | '_' ;

VALUE_ID : '%' (ID_CHAR+ | QUOTED) ;
GRAPH_ID : '@' (ID_CHAR+ | QUOTED) ;
HEX      : '0x' [0-9a-fA-F]+ ;
FLOAT    : DIGITS '.' DIGITS EXPONENT? | DIGITS EXPONENT ;
INT      : DIGITS ;
IDENT    : [A-Za-z_] ID_CHAR* ;
STRING   : QUOTED ;
WS       : [ \t\r\n]+ -> skip ;
COMMENT  : '//' ~[\r\n]* -> skip ;

fragment ID_CHAR  : [A-Za-z0-9_.$] ;
fragment DIGITS   : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;
fragment QUOTED   : '"' (ESCAPE | ~["\\\r\n])* '"' ;
fragment ESCAPE   : '\\' ( ["\\nrt] | 'u' HEXDIGIT HEXDIGIT HEXDIGIT HEXDIGIT ) ;
fragment HEXDIGIT : [0-9a-fA-F] ;
