#!/usr/bin/env python3
"""Turns the README's walk-throughs into one shell script (t106-readme.sh).

A walk-through is a fenced block marked by the line `<!-- walkthrough -->`
just before it (indentation allowed, for blocks inside lists):

  ```sh / ```bash  each command (a line, with its `\\` continuations) must
                   exit 0, or N when it ends with the comment `# exit N`
  ```console       `$ COMMAND` lines; the lines up to the next `$ ` are its
                   exact standard output; exit 0 unless `# exit N`

The blocks run in order in one shell, so variables and files carry over.
For every command the script appends to $WALK_LOG one line:
  LINE RC WANT SAME
(README line, exit status, the status wanted, and 1 when the output matched
or was not checked, else 0). Prints the script
on stdout; exits 2 when a marker is not followed by a supported block.
"""
import re
import shlex
import sys

MARK = "<!-- walkthrough -->"
EXIT = re.compile(r"#\s*exit\s+(\d+)\s*$")


def blocks(lines, name):
    i = 0
    while i < len(lines):
        if lines[i].strip() != MARK:
            i += 1
            continue
        fence = lines[i + 1] if i + 1 < len(lines) else ""
        m = re.match(r"^(\s*)```(sh|bash|console)\s*$", fence)
        if not m:
            sys.exit("%s:%d: %s is not followed by a ```sh, ```bash or ```console block"
                     % (name, i + 1, MARK))
        indent, kind = len(m.group(1)), m.group(2)
        body, j = [], i + 2
        while j < len(lines) and lines[j].strip() != "```":
            body.append((j + 1, lines[j][indent:] if lines[j][:indent].strip() == "" else lines[j]))
            j += 1
        if j == len(lines):
            sys.exit("%s:%d: the block never ends" % (name, i + 2))
        yield kind, body
        i = j + 1


def record(out, line, want, same):
    out.append('__rc=$?')
    out.append('echo "%d $__rc %d %s" >> "$WALK_LOG"' % (line, want, same))


def main():
    name = sys.argv[1]
    lines = open(name, encoding="utf-8").read().split("\n")
    out, n = [], 0
    for kind, body in blocks(lines, name):
        if kind in ("sh", "bash"):
            k = 0
            while k < len(body):
                start, text = body[k]
                cmd = [text]
                while cmd[-1].endswith("\\") and k + 1 < len(body):
                    k += 1
                    cmd.append(body[k][1])
                k += 1
                if not text.strip() or text.lstrip().startswith("#"):
                    continue
                m = EXIT.search(cmd[-1])
                out.append("# %s:%d" % (name, start))
                out.extend(cmd)
                record(out, start, int(m.group(1)) if m else 0, "1")
                n += 1
        else:
            k = 0
            while k < len(body):
                start, text = body[k]
                k += 1
                if not text.startswith("$ "):
                    if text.strip():
                        sys.exit("%s:%d: output before any command" % (name, start))
                    continue
                want = []
                while k < len(body) and not body[k][1].startswith("$ "):
                    want.append(body[k][1])
                    k += 1
                while want and not want[-1].strip():
                    want.pop()
                cmd = text[2:]
                m = EXIT.search(cmd)
                if m:
                    cmd = cmd[:m.start()]
                out.append("# %s:%d" % (name, start))
                out.append('%s > "$WALK_DIR/.walk.out"' % cmd)
                out.append('__rc=$?')
                out.append("printf '%%s\\n' %s > \"$WALK_DIR/.walk.want\""
                           % " ".join(shlex.quote(w) for w in want) if want else
                           ': > "$WALK_DIR/.walk.want"')
                out.append('if cmp -s "$WALK_DIR/.walk.out" "$WALK_DIR/.walk.want"; '
                           'then __same=1; else __same=0; '
                           'diff "$WALK_DIR/.walk.want" "$WALK_DIR/.walk.out" >&2; fi')
                out.append('(exit $__rc)')
                record(out, start, int(m.group(1)) if m else 0, "$__same")
                n += 1
    print("# %d commands from %s" % (n, name))
    print("\n".join(out))


main()
