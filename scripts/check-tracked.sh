#!/usr/bin/env bash
# Fails when build output is tracked: a compiled program (ELF, Mach-O or
# PE), an archive or object file, or an executable file that is no script.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0
while IFS= read -r -d '' f; do
	[ -f "$f" ] || continue
	magic=$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')
	case "$magic" in
	7f454c46 | cffaedfe | cefaedfe | feedface | feedfacf | cafebabe | 4d5a*)
		echo "tracked build output: $f (a compiled program)" >&2
		bad=1
		continue
		;;
	esac
	case "$f" in
	*.a | *.o | *.so | *.dylib | *.exe | *.test)
		echo "tracked build output: $f" >&2
		bad=1
		continue
		;;
	esac
	if [ -x "$f" ] && [ "$(head -c 2 "$f")" != "#!" ]; then
		echo "tracked executable that is no script: $f" >&2
		bad=1
	fi
done < <(git ls-files -z)
exit "$bad"
