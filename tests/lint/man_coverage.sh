#!/usr/bin/env bash
# The man pages document what the code has: every configuration key (in its table's
# section), every member of the bus interface (its IDL block equal to the introspection XML,
# and each member described), every claude-harnessctl verb and option, and every long option
# of claude-harnessd. Each missing item is named; any one fails the test.
# Usage: man_coverage.sh SOURCE_DIR
set -euo pipefail
src=$1
man=$src/man
status=0
missing() {
  echo "FAIL: $*" >&2
  status=1
}

# Each word of each .TP tag of a page, as "SH<TAB>SS<TAB>word": escapes and quotes removed,
# anything from "(" on dropped, so that ".BR \-c , \-\-config" gives -c and --config and
# ".B CancelJob(id)" gives CancelJob.
tags() {
  awk '
    function strip(s) {
      gsub(/\\f[BIRP]/, "", s); gsub(/\\-/, "-", s); gsub(/\\&/, "", s); gsub(/"/, "", s)
      return s
    }
    /^\.SH/ { sh = strip(substr($0, 5)); ss = ""; next }
    /^\.SS/ { ss = strip(substr($0, 5)); next }
    /^\.TP/ { tag = 1; next }
    tag {
      tag = 0
      line = strip($0); sub(/^\.[A-Z]+ */, "", line)
      n = split(line, words, /[ ,|]+/)
      for (i = 1; i <= n; i++) {
        w = words[i]; sub(/\(.*/, "", w)
        if (w != "") print sh "\t" ss "\t" w
      }
    }' "$1"
}
tagged() { # PAGE SH SS WORD: WORD is a tag word under that .SH (and .SS, unless empty)
  tags "$1" | awk -F '\t' -v sh="$2" -v ss="$3" -v w="$4" \
    '$1 == sh && (ss == "" || $2 == ss) && $3 == w { found = 1 } END { exit !found }'
}

echo "== configuration keys in claude-harness.toml.5"
page=$man/claude-harness.toml.5
# "function key" for every key in a check_keys({...}) list, by the function it is in.
keys=$(awk '
  /^[A-Za-z]/ && match($0, /[a-z_]+\(/) { fn = substr($0, RSTART, RLENGTH - 1) }
  /check_keys\(\{/ { list = ""; collecting = 1 }
  collecting {
    list = list $0
    if (list ~ /\}\)/) {
      collecting = 0
      while (match(list, /"[^"]*"/)) {
        print fn, substr(list, RSTART + 1, RLENGTH - 2)
        list = substr(list, RSTART + RLENGTH)
      }
    }
  }' "$src"/common/config_validate*.cpp)
[[ $(wc -l <<<"$keys") -ge 20 ]] || missing "found only these keys in config_validate*.cpp: $keys"
while read -r fn key; do
  case $fn in
    read_config) # the top-level keys are the tables; each has its own section
      grep -Eq "^\.SH \"\[{1,2}$key\]{1,2} SECTIONS?\"$" "$page" ||
        missing "claude-harness.toml.5 has no section for the table '$key'"
      continue ;;
    read_server) section="[server] SECTION" ;;
    read_limits) section="[limits] SECTION" ;;
    read_providers) section="[[providers]] SECTIONS" ;;
    read_model) section="[[models]] SECTIONS" ;;
    read_agent) section="[models.agent] SECTION" ;;
    read_clients) section="[clients] SECTIONS" ;;
    *) missing "no section of claude-harness.toml.5 is known for the keys checked in $fn()"
      continue ;;
  esac
  tagged "$page" "$section" "" "$key" ||
    missing "claude-harness.toml.5 does not describe '$key' in $section"
done <<<"$keys"

echo "== bus interface in org.claudeharness.Harness1.5"
page=$man/org.claudeharness.Harness1.5
xml=$src/dbus/org.claudeharness.Harness1.xml
# Canonical lines from the XML: "property NAME TYPE ACCESS EMITS", "method NAME(in s id)",
# "signal NAME(s id, t n)".
from_xml=$(awk '
  function attr(name,   r) {
    if (!match($0, name "=\"[^\"]*\"")) return ""
    r = substr($0, RSTART, RLENGTH); sub(/^[^"]*"/, "", r); sub(/"$/, "", r); return r
  }
  function close_member() {
    if (kind == "property") {
      access = access == "read" ? "readonly" : access == "write" ? "writeonly" : "readwrite"
      print "property " name " " type " " access " " emits
    } else if (kind != "") print kind " " name "(" args ")"
    kind = ""
  }
  /<property / { kind = "property"; name = attr("name"); type = attr("type")
                 access = attr("access"); emits = "true" }
  /<method / { kind = "method"; name = attr("name"); args = "" }
  /<signal / { kind = "signal"; name = attr("name"); args = "" }
  /<annotation / && attr("name") == "org.freedesktop.DBus.Property.EmitsChangedSignal" {
    emits = attr("value")
  }
  /<arg / {
    a = (kind == "method" ? (attr("direction") == "out" ? "out " : "in ") : "") \
        attr("type") " " attr("name")
    args = args (args == "" ? "" : ", ") a
  }
  /<(property|method|signal) [^>]*\/>/ || /<\/(property|method|signal)>/ { close_member() }
  ' "$xml" | sort)
# The same from the IDL block of the interface in the page.
from_page=$(awk '
  /^  interface org\.claudeharness\.Harness1 \{$/ { inside = 1; next }
  inside && /^  \};$/ { inside = 0 }
  !inside { next }
  { gsub(/\\-/, "-") }
  /^    (methods|signals|properties):$/ { section = $1; sub(/:$/, "", section); next }
  section == "properties" && /EmitsChangedSignal\("/ {
    emits = $0; sub(/^[^"]*"/, "", emits); sub(/".*/, "", emits); next
  }
  section == "properties" {
    print "property " $3 " " $2 " " $1 " " (emits == "" ? "true" : emits); emits = ""; next
  }
  section == "methods" || section == "signals" {
    text = text " " $0
    if (text !~ /\);$/) next
    sub(/\);$/, "", text); gsub(/[ \t]+/, " ", text); sub(/^ /, "", text)
    name = text; sub(/\(.*/, "", name)
    rest = text; sub(/^[^(]*\(/, "", rest)
    n = split(rest, parts, /,/); args = ""
    for (i = 1; i <= n; i++) {
      p = parts[i]; sub(/^ /, "", p); sub(/ $/, "", p)
      args = args (i > 1 ? ", " : "") p
    }
    print (section == "methods" ? "method " : "signal ") name "(" args ")"
    text = ""
  }' "$page" | sort)
[[ $(wc -l <<<"$from_xml") -ge 15 ]] || missing "found only these members in the XML: $from_xml"
while read -r line; do
  [[ -n $line ]] && missing "the IDL block lacks or misstates: $line"
done < <(comm -23 <(echo "$from_xml") <(echo "$from_page"))
while read -r line; do
  [[ -n $line ]] && missing "the IDL block has what the XML does not: $line"
done < <(comm -13 <(echo "$from_xml") <(echo "$from_page"))
while read -r kind rest; do
  name=${rest%%[ (]*}
  case $kind in
    property) ss=Properties ;; method) ss=Methods ;; signal) ss=Signals ;;
  esac
  tagged "$page" "THE HARNESS OBJECT" "$ss" "$name" ||
    missing "org.claudeharness.Harness1.5 does not describe the $kind $name under $ss"
done <<<"$from_xml"
for error in $(grep -o '"org\.claudeharness\.Error\.[A-Za-z]*"' "$src/common/bus_names.h" | tr -d '"'); do
  tagged "$page" ERRORS "" "$error" || missing "org.claudeharness.Harness1.5 lacks the error $error"
done

echo "== verbs and options in claude-harnessctl.1"
page=$man/claude-harnessctl.1
verbs=$(awk '/^constexpr Verb kVerbs/ { inside = 1 } inside && match($0, /\{"[a-z-]+"/) {
               print substr($0, RSTART + 2, RLENGTH - 3) } inside && /^\};/ { inside = 0 }' \
  "$src/ctl/verb_table.cpp")
[[ $(wc -l <<<"$verbs") -ge 8 ]] || missing "found only these verbs in verb_table.cpp: $verbs"
for verb in $verbs; do
  tagged "$page" COMMANDS "" "$verb" || missing "claude-harnessctl.1 does not describe '$verb'"
done
# Every option a verb declares (.value("name", ...), .flag("name", ...)) is named in the page.
text=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$page")
for option in $(cat "$src"/ctl/verb_*.cpp | grep -o '\.\(value\|flag\)("[a-z-]*"' |
  sed 's/.*("//; s/"$//' | sort -u) json; do
  grep -Eq -- "(^|[^a-z-])--$option([^a-z-]|$)" <<<"$text" ||
    missing "claude-harnessctl.1 does not name the option --$option"
done

echo "== options in claude-harnessd.8"
page=$man/claude-harnessd.8
options=$(awk '/longopts\[\] = \{/ { inside = 1; next } inside && /^ *\};/ { inside = 0 }
               inside && match($0, /\{"[a-z-]+"/) { print substr($0, RSTART + 2, RLENGTH - 3) }' \
  "$src/daemon/main.cpp")
[[ $(wc -l <<<"$options") -ge 6 ]] || missing "found only these options in main.cpp: $options"
for option in $options; do
  tagged "$page" OPTIONS "" "--$option" || missing "claude-harnessd.8 does not describe --$option"
done

((status == 0)) && echo "ok: every key, member, verb and option is documented"
exit $status
