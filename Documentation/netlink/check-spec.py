#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that the YNL spec and the hand-written UAPI header agree.

    check-spec.py [--spec esptun.yaml] [--header esptun.h] [--schema FILE]

Every name the spec defines (commands, attributes, enum values, flags,
constants, the family and multicast group names) must be in the header
with the same value, and every enumerator and ESPTUN_* define of the header
must be described by the spec.  Attribute types written at the start of a
header comment ("u32", "string", "nest of ...") must match the spec's.
References inside the spec (nested attribute sets, enums, the attributes
of each operation, multicast groups) must resolve.

With --schema (Documentation/netlink/genetlink-legacy.yaml of a kernel
tree, 6.4 or later), the spec is also validated against the schema; that
needs python3-jsonschema.

Needs python3-yaml.  Exits 0 when everything matches, 1 on a mismatch,
2 on a usage error or an unreadable input.
"""

import argparse
import os
import re
import sys

try:
    import yaml
except ImportError:
    print("check-spec: python3-yaml is required", file=sys.stderr)
    sys.exit(2)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SPEC = os.path.join(HERE, "esptun.yaml")
DEFAULT_HEADER = os.path.join(HERE, "..", "..", "kmod", "uapi", "linux",
                              "esptun.h")

# Header comment words that name an attribute's type, and the spec types
# each of them stands for.
TYPE_WORDS = {
    "u8": {"u8"}, "u16": {"u16"}, "u32": {"u32"}, "u64": {"u64"},
    "string": {"string"}, "binary": {"binary"},
    "nest": {"nest", "indexed-array"}, "flag": {"flag"},
}


def c_upper(name):
    return name.upper().replace("-", "_")


class Errors:
    def __init__(self):
        self.msgs = []

    def __call__(self, msg):
        self.msgs.append(msg)


# ----------------------------------------------------------------------
# The header.

def strip_comments_keep_trailing(text):
    """Returns (code without comments, {line number: first comment text})."""
    comments = {}
    out = []
    i = 0
    line = 1
    while i < len(text):
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise ValueError("unterminated comment")
            body = text[i + 2:end]
            comments.setdefault(line, " ".join(body.split()))
            nl = body.count("\n")
            out.append("\n" * nl if nl else " ")
            line += nl
            i = end + 2
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            comments.setdefault(line, text[i + 2:end].strip())
            i = end
        else:
            if text[i] == "\n":
                line += 1
            out.append(text[i])
            i += 1
    return "".join(out), comments


def c_eval(expr, known):
    """Evaluates a constant C expression of integers and known names."""
    expr = re.sub(r"\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\b", r"\1", expr.strip())
    if expr.startswith('"'):
        return expr.strip('"')

    def name(m):
        if m.group(0) not in known:
            raise KeyError(m.group(0))
        return "(%r)" % (known[m.group(0)],)
    py = re.sub(r"\b[A-Za-z_]\w*\b",
                lambda m: m.group(0) if re.match(r"0[xX]", m.group(0))
                else name(m), expr)
    if not re.fullmatch(r"[\s\d()xXa-fA-F+\-*<>|&~']+", py):
        raise ValueError("cannot evaluate %r" % expr)
    return eval(py, {"__builtins__": {}})  # only digits and operators


def parse_header(path):
    """Returns (enums, defines).

    enums:   {enum tag or None: [(name, value, comment or None, line)]}
    defines: {name: value}, for defines with a value
    """
    with open(path) as f:
        text = f.read()
    code, comments = strip_comments_keep_trailing(text)
    known = {}
    enums = {}
    defines = {}
    anon = 0

    # Walk the code in order so that later expressions can use earlier
    # names: defines and enum bodies interleave.
    pos = 0
    token = re.compile(r"^[ \t]*#[ \t]*define[ \t]+(\w+)(?:[ \t]+([^\n]+))?$"
                       r"|\benum\s+(\w+)?\s*\{(.*?)\}\s*;",
                       re.M | re.S)
    for m in token.finditer(code, pos):
        if m.group(1):
            dname, dval = m.group(1), m.group(2)
            if dval is None:
                continue
            try:
                defines[dname] = c_eval(dval, known)
                known[dname] = defines[dname]
            except (KeyError, ValueError, SyntaxError):
                defines[dname] = dval.strip()
            continue
        tag = m.group(3)
        if tag is None:
            anon += 1
            tag = None
        body_start = code.count("\n", 0, m.start(4)) + 1
        entries = []
        value = -1
        line = body_start
        for part in m.group(4).split(","):
            start_line = line
            line += part.count("\n")
            item = part.strip()
            if not item:
                continue
            # The line the enumerator's name is on.
            name_line = start_line + part[:part.find(item)].count("\n")
            em = re.fullmatch(r"(\w+)\s*(?:=\s*(.+))?", item, re.S)
            if not em:
                raise ValueError("%s:%d: cannot parse enumerator %r" %
                                 (path, name_line, item))
            if em.group(2) is not None:
                value = c_eval(em.group(2), known)
            else:
                value += 1
            known[em.group(1)] = value
            entries.append((em.group(1), value, comments.get(name_line),
                            name_line))
        enums[tag if tag else "<anonymous %d>" % anon] = entries
    return enums, defines


# ----------------------------------------------------------------------
# The spec: the C names and values YNL gives each thing (the rules of
# tools/net/ynl/lib/nlspec.py and ynl-gen-c.py, genetlink-legacy flavour).

def spec_names(spec, err):
    """Returns (expected, groups, attr_types).

    expected:   {C name: value}
    groups:     [(enum tag or None, [C names in order])]
    attr_types: {C name: spec type} for attributes
    """
    family = spec["name"]
    expected = {}
    groups = []
    attr_types = {}

    def add(name, value):
        if name in expected and expected[name] != value:
            err("spec: %s defined twice, as %r and %r" %
                (name, expected[name], value))
        expected[name] = value

    if "c-family-name" in spec:
        add(c_upper(spec["c-family-name"]), family)
    if "c-version-name" in spec:
        add(c_upper(spec["c-version-name"]), spec.get("version", 1))

    for d in spec.get("definitions", []):
        kind = d["type"]
        if kind == "const":
            prefix = d.get("name-prefix", family + "-")
            add(c_upper(prefix + d["name"]), d["value"])
            continue
        if kind not in ("enum", "flags"):
            continue
        prefix = d.get("name-prefix", "%s-%s-" % (family, d["name"]))
        value = d.get("value-start", 0)
        names = []
        first = True
        for e in d["entries"]:
            if isinstance(e, str):
                e = {"name": e}
            if "value" in e:
                value = e["value"]
            elif not first:
                value += 1
            first = False
            cname = c_upper(prefix + e["name"])
            add(cname, (1 << value) if kind == "flags" else value)
            names.append(cname)
        tag = d.get("enum-name", "%s-%s" % (family, d["name"]))
        groups.append((c_upper(tag).lower() if tag else None, names))

    for s in spec["attribute-sets"]:
        if "subset-of" in s:
            continue
        prefix = s.get("name-prefix", "%s-a-%s-" % (family, s["name"]))
        value = 0
        names = []
        for i, a in enumerate(s["attributes"]):
            if "value" in a:
                value = a["value"]
            else:
                value += 1
            cname = c_upper(prefix + a["name"])
            add(cname, value)
            attr_types[cname] = a.get("type")
            names.append(cname)
        cnt = c_upper(s.get("attr-cnt-name", "__" + prefix + "max"))
        add(cnt, value + 1)
        if spec.get("max-by-define"):
            add(c_upper(s.get("attr-max-name", prefix + "max")), value)
        tag = s.get("enum-name", "%s-%s" % (family, s["name"]))
        groups.append((c_upper(tag).lower() if tag else None, names + [cnt]))

    ops = spec["operations"]
    prefix = ops.get("name-prefix", family + "-cmd-")
    value = 0
    names = []
    for op in ops["list"]:
        if "value" in op:
            value = op["value"]
        else:
            value += 1
        cname = c_upper(prefix + op["name"])
        add(cname, value)
        names.append(cname)
    cnt = c_upper(spec.get("cmd-cnt-name", "__" + prefix + "max"))
    add(cnt, value + 1)
    if spec.get("max-by-define"):
        add(c_upper(spec.get("cmd-max-name", prefix + "max")), value)
    tag = ops.get("enum-name", family + "-cmd")
    groups.append((c_upper(tag).lower() if tag else None, names + [cnt]))

    for g in spec.get("mcast-groups", {}).get("list", []):
        add(c_upper(g.get("c-define-name",
                          "%s-mcgrp-%s" % (family, g["name"]))), g["name"])
    return expected, groups, attr_types


def check_references(spec, err):
    sets = {s["name"]: s for s in spec["attribute-sets"]}
    defs = {d["name"]: d for d in spec.get("definitions", [])}
    grps = {g["name"] for g in spec.get("mcast-groups", {}).get("list", [])}

    for s in spec["attribute-sets"]:
        if "subset-of" in s and s["subset-of"] not in sets:
            err("spec: set %s: subset-of unknown set %s" %
                (s["name"], s["subset-of"]))
        for a in s["attributes"]:
            where = "spec: attribute %s.%s" % (s["name"], a["name"])
            if a.get("type") in ("nest", "indexed-array") and \
               a.get("sub-type", "nest") == "nest":
                if a.get("nested-attributes") not in sets:
                    err("%s: nested-attributes %r is not an attribute set" %
                        (where, a.get("nested-attributes")))
            if "enum" in a and a["enum"] not in defs:
                err("%s: enum %r is not defined" % (where, a["enum"]))

    for op in spec["operations"]["list"]:
        where = "spec: operation %s" % op["name"]
        aset = op.get("attribute-set")
        if aset is not None and aset not in sets:
            err("%s: unknown attribute-set %s" % (where, aset))
            continue
        known = {a["name"] for a in sets[aset]["attributes"]} if aset else set()
        msgs = []
        for mode in ("do", "dump"):
            for part in ("request", "reply"):
                msg = op.get(mode, {}).get(part)
                if msg:
                    msgs.append(("%s %s" % (mode, part),
                                 msg.get("attributes", [])))
        if "event" in op:
            msgs.append(("event", op["event"].get("attributes", [])))
            if op.get("mcgrp") not in grps:
                err("%s: event without a known mcgrp (%r)" %
                    (where, op.get("mcgrp")))
        for what, attrs in msgs:
            for name in attrs:
                if name not in known:
                    err("%s: %s names %s, not in set %s" %
                        (where, what, name, aset))


# ----------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spec", default=DEFAULT_SPEC)
    ap.add_argument("--header", default=DEFAULT_HEADER)
    ap.add_argument("--schema",
                    help="genetlink-legacy.yaml to validate the spec against")
    args = ap.parse_args()

    try:
        with open(args.spec) as f:
            spec = yaml.safe_load(f)
        enums, defines = parse_header(args.header)
    except (OSError, ValueError, yaml.YAMLError) as e:
        print("check-spec: %s" % e, file=sys.stderr)
        return 2

    err = Errors()

    if args.schema:
        try:
            import jsonschema
        except ImportError:
            print("check-spec: --schema needs python3-jsonschema",
                  file=sys.stderr)
            return 2
        with open(args.schema) as f:
            schema = yaml.safe_load(f)
        try:
            jsonschema.validate(spec, schema)
        except jsonschema.ValidationError as e:
            path = "/".join(str(p) for p in e.absolute_path)
            err("spec: schema: at %s: %s" % (path or "top", e.message))

    check_references(spec, err)
    expected, groups, attr_types = spec_names(spec, err)

    # Everything in the header, by name.
    header = dict(defines)
    header_comment = {}
    header_enum_of = {}
    for tag, entries in enums.items():
        for name, value, comment, _ in entries:
            header[name] = value
            header_comment[name] = comment
            header_enum_of[name] = tag

    # Spec -> header.
    for name, value in expected.items():
        if name not in header:
            err("%s: in the spec (= %r), missing from the header" %
                (name, value))
        elif header[name] != value:
            err("%s: header says %r, spec says %r" %
                (name, header[name], value))

    # Enum tags and order: each spec group is one header enum, same order.
    for tag, names in groups:
        present = [n for n in names if n in header_enum_of]
        tags = {header_enum_of[n] for n in present}
        if tag and present and tags != {tag}:
            err("%s: spec enum-name is %s, the header has them in enum %s" %
                (names[0], tag, ", ".join(sorted(str(t) for t in tags))))
        for t in tags:
            order = [e[0] for e in enums[t] if e[0] in names]
            if order != [n for n in names if n in order]:
                err("enum %s: header order %s differs from the spec's" %
                    (t, ", ".join(order)))

    # Header -> spec: no enumerator or define the spec does not describe.
    guard = re.compile(r"_UAPI_.*_H$|^_.*_H$")
    for tag, entries in enums.items():
        for name, _, _, line in entries:
            if name not in expected:
                err("%s (header line %d, enum %s): not in the spec" %
                    (name, line, tag))
    for name in defines:
        if guard.search(name) or name in expected:
            continue
        if name.startswith("ESPTUN_"):
            err("%s: #define in the header, not in the spec" % name)

    # Attribute types written in header comments.
    for name, stype in attr_types.items():
        comment = header_comment.get(name)
        if not comment:
            continue
        m = re.match(r"(\w+)\b", comment)
        if not m or m.group(1) not in TYPE_WORDS:
            continue
        if stype not in TYPE_WORDS[m.group(1)]:
            err("%s: header comment says %s, spec type is %s" %
                (name, m.group(1), stype))

    for msg in err.msgs:
        print("check-spec: " + msg, file=sys.stderr)
    if err.msgs:
        print("check-spec: %d mismatch(es) between %s and %s" %
              (len(err.msgs), args.spec,
               args.header), file=sys.stderr)
        return 1
    print("check-spec: %s and %s agree (%d names)" %
          (args.spec, args.header,
           len(expected)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
