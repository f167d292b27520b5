# Sourced by ./mvnw and ./weft: point JAVA_HOME at a JDK 25 or newer.
# A JDK 17 first on PATH (the Debian default) must not win, so look at JAVA_HOME first,
# then the usual install folders, and say what to install if none fits.
weft_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}
weft_find_jdk25() {
  # Callers may run with globbing off (mvnw uses set -f); the search needs it.
  case $- in *f*) set +f; weft_glob_was_off=1 ;; *) weft_glob_was_off=0 ;; esac
  for candidate in "${JAVA_HOME-}" /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25-* /usr/lib/jvm/jdk-25* \
      /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(weft_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      printf '%s\n' "$candidate"
      [ "$weft_glob_was_off" = 1 ] && set -f
      return 0
    fi
  done
  [ "$weft_glob_was_off" = 1 ] && set -f
  return 1
}
if WEFT_JDK=$(weft_find_jdk25); then
  JAVA_HOME=$WEFT_JDK
  export JAVA_HOME
else
  echo "weft: no JDK 25 found (JAVA_HOME='${JAVA_HOME-}'). Install Temurin 25 (or any JDK 25+) and set JAVA_HOME to it." >&2
  exit 1
fi
