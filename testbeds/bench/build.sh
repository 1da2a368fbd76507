# Sourced by testbeds/bench/run and testbeds/soak/run: paths of the gateway jar and the bench module,
# and a Maven build of both when a source or POM changed since the last build by these scripts.
# Needs $root (the repository) set; sets $jar, $benchjar, $classpath.
bench="$root/testbeds/bench"
jar="$root/gateway/target/vncgate.jar"
benchjar="$bench/target/vncgate-bench-0.1.0-SNAPSHOT.jar"
classpath="$bench/target/classpath.txt"
stamp="$bench/target/.built"

# rebuilt when a source or POM of what the tools run changed since the last build by these scripts
stale() {
  [ -f "$jar" ] && [ -f "$benchjar" ] && [ -f "$classpath" ] && [ -f "$stamp" ] || return 0
  [ -n "$(find "$root/pom.xml" "$root/provider-spi" "$root/gateway" "$root/testbeds/pom.xml" "$root/testbeds/src" "$bench" \
    \( -path '*/src/*' -o -name pom.xml -o -name package-lock.json \) -not -path '*/target/*' -not -path '*/node_modules/*' -newer "$stamp" -print -quit 2>/dev/null)" ]
}

# build_if_stale NAME: NAME prefixes the messages (bench, soak)
build_if_stale() {
  stale || return 0
  command -v mvn >/dev/null || { echo "$1: Maven (mvn) is needed to build; apt-get install maven" >&2; exit 2; }
  echo "$1: building the gateway and the bench module (sources changed)..." >&2
  local log="$bench/target/build.log"
  mkdir -p "$bench/target"
  if ! (cd "$root" && mvn -q -B -pl testbeds/bench -am -DskipTests package) >"$log" 2>&1; then
    echo "$1: build failed; the last lines of $log:" >&2
    tail -n 30 "$log" >&2
    exit 2
  fi
  touch "$stamp"
}
