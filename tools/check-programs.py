#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check that every external program the project's scripts run comes from a
Debian package that tools/deps.sh installs.

A fresh Debian 12 machine has only what tools/deps.sh installs (and the
Essential packages); a script that calls a program from any other package
works on the developer's machine and fails on the next one. This finds the
programs in command position in

  - shell scripts (tools/, tests/, bench/, examples/, debian/, .ci/): the
    first word of every simple command, through pipes, lists, $(...),
    backquotes, if/while/for bodies and wrappers such as `ip netns exec NS`,
    `timeout N`, `setpriv ...`, `env`, `nice`, `taskset`, `flock`, `xargs`;
  - Python files: the first constant of every argv list (and the first
    constant argument of run()/popen()/sh()-style helpers), through the same
    wrappers;
  - meson.build files: find_program('NAME');

resolves each on PATH, maps its file to a package with `dpkg -S`, and fails
naming the program and the file that runs it when the package is neither
listed by tools/deps.sh (with --bench: the benchmark's list too), nor one
that apt installs with them (their Depends/Pre-Depends, recursively), nor an
Essential package. A program that is not installed at all fails too (after
tools/deps.sh everything the scripts run must be there), unless a listed
package is not installed here either (those of deps.sh --bench on a
machine that never ran the benchmark): then it is only reported.

Usage: tools/check-programs.py [--root DIR] [--deps "PKG..."] [-v] [FILE...]
  --root DIR   tree to scan (default: this script's tree)
  --deps LIST  packages to check against (default: `tools/deps.sh --list --bench`)
  FILE...      scan these files only (relative to --root or absolute)
Exit status: 0 all programs accounted for, 1 some are not, 2 usage.
"""
import argparse
import ast
import os
import re
import shutil
import subprocess
import sys

SCAN_DIRS = ("tools", "tests", "bench", "examples", "debian", ".ci")
SKIP_DIRS = {"__pycache__", "data", "seeds", "results", ".debhelper", "tmp"}

SHELL_BUILTINS = set("""
. : [ [[ ]] alias bg break builtin case cd command continue declare do done echo
elif else esac eval exec exit export false fg fi for function getopts hash if
in jobs kill let local printf pwd read readonly return select set shift source
test then time times trap true type typeset ulimit umask unalias unset until
wait while { } !
""".split())
SHELL_KEYWORDS_BEFORE_COMMAND = {"if", "then", "else", "elif", "do", "while", "until",
                                 "!", "{", "time", "exec", "command", "nohup", "sudo"}

# A word shaped like a program name (or an absolute path to one).
PROGRAM_RE = re.compile(r"^(/[A-Za-z0-9_./+-]+|[A-Za-z0-9_+][A-Za-z0-9_.+-]*)$")


# ---- wrappers: programs whose argument is another command ----------------

def skip_wrapper(words, i):
    """words[i] is a command word. If it is a wrapper (timeout, setpriv, ip
    netns exec, ...), return the index of the command it runs (or None when
    that is not a literal); else return -1."""
    w = os.path.basename(words[i]) if words[i] else words[i]
    j = i + 1

    def opts(j, with_arg=()):
        while j < len(words) and words[j] is not None and words[j].startswith("-"):
            if words[j] == "--":
                return j + 1
            j += 2 if words[j] in with_arg else 1
        return j

    if w in ("nohup", "exec", "command", "sudo", "time", "stdbuf"):
        j = opts(j, ("-u", "-g"))
    elif w == "env":
        j = opts(j, ("-u", "-C", "-S"))
        while j < len(words) and words[j] is not None and "=" in words[j]:
            j += 1
    elif w in ("nice", "ionice", "chrt"):
        j = opts(j, ("-n", "-c"))
        if w == "chrt" and j < len(words):
            j += 1  # priority
    elif w == "timeout":
        j = opts(j, ("-s", "-k", "--signal", "--kill-after")) + 1
    elif w == "taskset":
        j = opts(j) + 1
    elif w in ("flock", "chroot"):
        j = opts(j, ("-w", "-E", "--timeout")) + 1
    elif w in ("setpriv", "runuser", "unshare", "nsenter", "xargs", "numactl"):
        j = opts(j, ("-u", "-g", "-n", "-P", "-I", "-d", "-L", "-t", "-N"))
    elif w == "ip" and words[i + 1:i + 3] == ["netns", "exec"]:
        j = i + 4  # ip netns exec NS CMD
    elif w == "ip" and len(words) > i + 2 and words[i + 1] == "-n" and words[i + 3:i + 4] == ["exec"]:
        j = i + 4
    else:
        return -1
    if j >= len(words) or words[j] is None:
        return None
    return j


def commands_of_argv(words):
    """Programs run by an argv (a list whose non-literal items are None)."""
    out = []
    i = 0
    while i is not None and 0 <= i < len(words) and words[i] is not None:
        out.append(words[i])
        nxt = skip_wrapper(words, i)
        if nxt == -1:
            break
        i = nxt
    return out


# ---- shell ----------------------------------------------------------------

class ShellLexer:
    """Splits shell text into simple commands (lists of words, None for a
    word that is not a literal) well enough to find command words."""

    OPS = ("&&", "||", ";;", "|&", ";", "|", "&", "(", ")", "\n")

    def __init__(self, text):
        self.s = text
        self.i = 0
        self.heredocs = []
        self.subs = []  # $(...) bodies met inside words

    def commands(self):
        cmds, cur = [], []
        while True:
            tok = self.token()
            if tok is None:
                break
            kind, val = tok
            if kind == "op":
                if val == "\n" and self.heredocs:
                    self.skip_heredocs()
                if cur:
                    cmds.append(cur)
                cur = []
                cmds.append([("op", val)])
            elif kind == "sub":
                cmds.extend(ShellLexer(val).commands())
                cur.append(None)
            else:
                cur.append(val)
            for sub in self.subs:
                cmds.extend(ShellLexer(sub).commands())
            self.subs = []
        if cur:
            cmds.append(cur)
        return cmds

    def skip_heredocs(self):
        for tag in self.heredocs:
            while self.i < len(self.s):
                end = self.s.find("\n", self.i)
                end = len(self.s) if end < 0 else end
                line = self.s[self.i:end]
                self.i = end + 1
                if line.strip() == tag:
                    break
        self.heredocs = []

    def token(self):
        s = self.s
        while self.i < len(s):
            c = s[self.i]
            if c in " \t":
                self.i += 1
            elif c == "\\" and s[self.i + 1:self.i + 2] == "\n":
                self.i += 2
            elif c == "#":
                while self.i < len(s) and s[self.i] != "\n":
                    self.i += 1
            else:
                break
        if self.i >= len(s):
            return None
        for op in self.OPS:
            if s.startswith(op, self.i):
                self.i += len(op)
                return ("op", op)
        if s.startswith("<<", self.i):
            self.i += 2
            if s.startswith("-", self.i):
                self.i += 1
            tag = self.word()
            self.heredocs.append((tag or "").strip("'\""))
            return ("word", None)
        m = re.match(r"[0-9]*(>>|>&|<&|>\||>|<)(&?[0-9-]?)", s[self.i:])
        if m:  # a redirection: its target is no command
            self.i += m.end()
            if not m.group(2):
                while self.i < len(s) and s[self.i] in " \t":
                    self.i += 1
                self.word()
            return self.token()
        if s.startswith("$(", self.i) and not s.startswith("$((", self.i):
            inner = self.balanced(self.i + 2)
            return ("sub", inner)
        if c == "`":
            end = s.find("`", self.i + 1)
            end = len(s) if end < 0 else end
            inner = s[self.i + 1:end]
            self.i = end + 1
            return ("sub", inner)
        start = self.i
        w = self.word()
        if self.i == start:  # a character no rule takes: step over it
            self.i += 1
        return ("word", w)

    def balanced(self, start):
        """Text of a $( ... ) whose body starts at 'start'; moves past it."""
        depth, j, s = 1, start, self.s
        while j < len(s):
            c = s[j]
            if c == "'":
                j = s.find("'", j + 1)
                j = len(s) if j < 0 else j
            elif c == "\\":
                j += 1
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        self.i = j + 1
        return s[start:j]

    def word(self):
        """One word; returns its literal text, or None if it has expansions."""
        s, out, literal = self.s, [], True
        while self.i < len(s):
            c = s[self.i]
            if c in " \t\n;&|()<>":
                break
            if c == "'":
                end = s.find("'", self.i + 1)
                end = len(s) if end < 0 else end
                out.append(s[self.i + 1:end])
                self.i = end + 1
            elif c == '"':
                j = self.i + 1
                while j < len(s) and s[j] != '"':
                    if s[j] == "\\":
                        j += 1
                    elif s.startswith("$(", j) and not s.startswith("$((", j):
                        self.subs.append(self.balanced(j + 2))
                        j = self.i
                        literal = False
                        continue
                    elif s[j] == "$":
                        literal = False
                    j += 1
                out.append(s[self.i + 1:j])
                self.i = j + 1
            elif c == "\\":
                out.append(s[self.i + 1:self.i + 2])
                self.i += 2
            elif c == "$":
                literal = False
                if s.startswith("$((", self.i):
                    self.balanced(self.i + 2)
                elif s.startswith("$(", self.i):
                    self.subs.append(self.balanced(self.i + 2))
                elif s.startswith("${", self.i):
                    end = s.find("}", self.i)
                    self.i = len(s) if end < 0 else end + 1
                else:
                    self.i += 1
            else:
                out.append(c)
                self.i += 1
        return "".join(out) if literal else None


def shell_programs(text):
    """(functions defined, [(program word, ...)]) of a shell script."""
    funcs = set(re.findall(r"^\s*(?:function\s+)?([A-Za-z_][A-Za-z0-9_-]*)\s*\(\)", text,
                           re.M))
    found = []
    in_case = 0
    pattern_next = False
    for cmd in ShellLexer(text).commands():
        if cmd and isinstance(cmd[0], tuple):  # an operator marker
            if cmd[0][1] == ";;":
                pattern_next = True
            elif cmd[0][1] == ")" and in_case and pattern_next:
                pattern_next = False  # the pattern ended: commands follow
            continue
        words = list(cmd)
        # Leading assignments and keywords are not the command.
        while words and words[0] is not None and (
                re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]) or
                words[0] in SHELL_KEYWORDS_BEFORE_COMMAND and words[0] not in ("exec", "command",
                                                                                 "nohup", "sudo")):
            words.pop(0)
        if not words:
            continue
        if words[0] == "case":
            in_case += 1
            pattern_next = True
            continue
        if words[0] == "esac":
            in_case = max(0, in_case - 1)
            pattern_next = False
            continue
        if in_case and pattern_next:
            continue  # "pattern)" or "a|b)": the words before ')' are patterns
        if words[0] in ("for", "select"):
            continue
        for prog in commands_of_argv(words):
            found.append(prog)
    return funcs, found


# ---- python ---------------------------------------------------------------

RUNNERS = {"run", "Popen", "call", "check_call", "check_output", "popen", "sh",
           "execvp", "execv", "execlp", "spawnvp"}


def literal_items(node):
    """The items of an argv expression, literal strings or None; [] if the
    expression is not a list."""
    if isinstance(node, (ast.List, ast.Tuple)):
        return [e.value if isinstance(e, ast.Constant) and isinstance(e.value, str) else None
                for e in node.elts]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = literal_items(node.left)
        if left:
            return left + [None]
    return []


def python_programs(text, path):
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as e:
        raise SystemExit("check-programs: %s: %s" % (path, e))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.List):
            items = literal_items(node)
            # An argv literal: ["prog", ...] with a program-shaped first item.
            if items and items[0] and PROGRAM_RE.match(items[0]) and len(items) > 1 or \
                    (items and items[0] and items[0].startswith("/")):
                found.append(("maybe", items))
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else \
                getattr(node.func, "id", "")
            if name not in RUNNERS or not node.args:
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                items = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str)
                         else None for a in node.args]
                found.append(("sure", items))
            else:
                items = literal_items(first)
                if items:
                    found.append(("sure", items))
    progs = []
    for kind, items in found:
        for prog in commands_of_argv(items):
            progs.append((kind, prog))
    return progs


# ---- packages -------------------------------------------------------------

def sh_out(argv, any_status=False):
    r = subprocess.run(argv, capture_output=True, text=True)
    return r.stdout if r.returncode == 0 or any_status else ""


def variants(path):
    """'path' and the names dpkg may know it by (/usr-merge, alternatives)."""
    out = [path, os.path.realpath(path)]
    for p in list(out):
        for a, b in (("/usr/bin/", "/bin/"), ("/usr/sbin/", "/sbin/")):
            if p.startswith(a):
                out.append(b + p[len(a):])
            elif p.startswith(b):
                out.append(a + p[len(b):])
    return out


def packages_of(paths):
    """{path: Debian package owning it} for the 'paths' dpkg knows (through
    /usr-merge and alternatives symlinks); one dpkg-query for all."""
    names = sorted({v for p in paths for v in variants(p)})
    owner = {}
    for line in sh_out(["dpkg-query", "-S"] + names, any_status=True).splitlines():
        pkgs, _, owned = line.rpartition(": ")
        if pkgs and not pkgs.startswith("diversion"):
            owner[owned.strip()] = pkgs.split(",")[0].strip().split(":")[0]
    return {p: next((owner[v] for v in variants(p) if v in owner), None) for p in paths}


def closure(pkgs):
    """The installed packages apt installs with 'pkgs' (Depends and
    Pre-Depends, recursively, every installed alternative and provider),
    'pkgs' included. Read from dpkg's status in one query."""
    out = sh_out(["dpkg-query", "-W", "-f",
                  "${db:Status-Abbrev}\t${Package}\t${Depends}, ${Pre-Depends}\t${Provides}\n"])
    deps, providers = {}, {}

    def names(field):
        return [re.split(r"[\s(:]", alt.strip())[0] for part in field.split(",")
                for alt in part.split("|") if alt.strip()]

    for line in out.splitlines():
        f = line.split("\t")
        if len(f) < 4 or not f[0].startswith("ii"):
            continue
        deps[f[1]] = names(f[2])
        for v in names(f[3]):
            providers.setdefault(v, []).append(f[1])
    todo = list(pkgs)
    absent = sorted(p for p in pkgs if p not in deps)
    if absent:  # not installed here: what apt would install with them
        out = sh_out(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
                      "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"] + absent)
        todo += [line.strip() for line in out.splitlines()
                 if line and not line.startswith((" ", "<"))]
    seen = set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        todo.extend(deps.get(p, []))
        todo.extend(providers.get(p, []))
    return seen | set(pkgs)


def is_installed(pkg):
    out = sh_out(["dpkg-query", "-W", "-f", "${db:Status-Abbrev}", pkg])
    return out.startswith("ii")


def essential():
    out = sh_out(["dpkg-query", "-W", "-f", "${Package} ${Essential} ${Priority}\n"])
    return {f[0] for f in (line.split() for line in out.splitlines())
            if len(f) >= 2 and (f[1] == "yes" or f[-1] == "required")}


# ---- driver ---------------------------------------------------------------

def scan_files(root, files):
    if files:
        return [f if os.path.isabs(f) else os.path.join(root, f) for f in files]
    out = []
    for top in SCAN_DIRS:
        for d, dirs, names in os.walk(os.path.join(root, top)):
            dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS)
            out.extend(os.path.join(d, n) for n in sorted(names))
    for d, dirs, names in os.walk(root):
        dirs[:] = sorted(x for x in dirs if not x.startswith(".") and x != "build")
        if "meson.build" in names:
            out.append(os.path.join(d, "meson.build"))
    return out


def kind_of(path):
    name = os.path.basename(path)
    if name == "meson.build":
        return "meson"
    if name.endswith(".py"):
        return "python"
    if name.endswith(".sh"):
        return "shell"
    try:
        with open(path, "rb") as f:
            first = f.readline(200)
    except OSError:
        return None
    if first.startswith(b"#!"):
        if b"python" in first:
            return "python"
        if re.search(rb"\b(ba|da)?sh\b", first):
            return "shell"
    if name in ("rules",) and b"make" in first:
        return None
    return None


def programs_in(path, root):
    """[(program, sure)] run by the file at 'path'."""
    kind = kind_of(path)
    if kind is None:
        return [], set()
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    if kind == "meson":
        return [(p, True) for p in re.findall(r"find_program\(\s*'([^']+)'", text)], set()
    if kind == "python":
        return [(p, k == "sure") for k, p in python_programs(text, path)], set()
    funcs, progs = shell_programs(text)
    return [(p, True) for p in progs], funcs


def in_tree(prog, root):
    return not prog.startswith("/") and ("/" in prog or os.path.exists(os.path.join(root, prog)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--deps")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    if a.deps is None:
        deps_sh = os.path.join(os.path.dirname(os.path.abspath(__file__)), "deps.sh")
        a.deps = sh_out([deps_sh, "--list", "--bench"])
        if not a.deps.strip():
            print("check-programs: '%s --list --bench' printed nothing" % deps_sh, file=sys.stderr)
            return 2
    listed = set(a.deps.split())
    allowed = closure(listed)
    absent = sorted(p for p in listed if not is_installed(p))
    base = essential()

    files = scan_files(root, a.files)
    uses = {}  # program -> [file, ...]
    funcs = set()
    per_file = []
    for path in files:
        progs, f = programs_in(path, root)
        funcs |= f
        per_file.append((path, progs))
    for path, progs in per_file:
        for prog, sure in progs:
            if prog in funcs or in_tree(prog, root) or prog.startswith("-"):
                continue
            if not PROGRAM_RE.match(prog):
                continue
            if kind_of(path) == "shell" and prog in SHELL_BUILTINS:
                continue
            uses.setdefault((prog, sure), []).append(os.path.relpath(path, root))

    bad = []
    seen = set()
    noted = 0
    found = {}
    for prog, _ in uses:
        r = prog if prog.startswith("/") else shutil.which(prog)
        if r and os.path.isfile(r) and os.access(r, os.X_OK):
            found[prog] = r
    owners = packages_of(set(found.values()))
    for (prog, sure), where in sorted(uses.items()):
        resolved = found.get(prog)
        if not resolved:
            if not sure or prog in seen:
                continue
            seen.add(prog)
            if absent:  # a listed package not installed here may be its own
                noted += 1
                print("check-programs: %s not installed; one of %s (listed, not installed "
                      "here) must provide it (run by %s)" % (prog, " ".join(absent),
                                                          ", ".join(sorted(set(where)))))
            else:
                bad.append("%s: not installed (run by %s); install the package that provides "
                           "it and add it to tools/deps.sh" % (prog, ", ".join(sorted(set(where)))))
            continue
        if prog in seen:
            continue
        seen.add(prog)
        pkg = owners[resolved]
        if pkg is None:
            if sure:
                bad.append("%s: %s belongs to no Debian package (run by %s)" %
                           (prog, resolved, ", ".join(sorted(set(where)))))
            continue
        if pkg in listed:
            why = "listed"
        elif pkg in allowed:
            why = "dependency of a listed package"
        elif pkg in base:
            why = "essential"
        else:
            bad.append("%s: from package %s, which tools/deps.sh does not install (run by %s)"
                       % (prog, pkg, ", ".join(sorted(set(where)))))
            continue
        if a.verbose:
            print("%-24s %-28s %s" % (prog, pkg, why))
    for line in bad:
        print("check-programs: " + line, file=sys.stderr)
    if bad:
        return 1
    print("check-programs: %d programs, every one from a package tools/deps.sh installs%s"
          % (len(seen), " (%d not installed here, noted above)" % noted if noted else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
