"""Textual LLVM IR, cut into top-level entities.

llvmlite cannot delete a function body or an initializer, so pcodegen splits modules
at the text level: LLVM's printer puts every global variable, alias, declaration,
attribute group and metadata node on one line and every function body between a
`define ... {` line and a `}` line. This module cuts a printed module into those
pieces, records what each references, and rewrites definitions into declarations.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

# A global name as printed IR writes it: plain or quoted.
GLOBAL = re.compile(r'@(?:"[^"]*"|[-a-zA-Z$._0-9]+)')
LINKAGES = (
    "private internal available_externally linkonce weak common appending extern_weak "
    "linkonce_odr weak_odr external"
).split()
LOCAL_LINKAGES = {"private", "internal"}
VISIBILITIES = ("default", "hidden", "protected")
_PREFIX_WORDS = set(LINKAGES) | {
    "dso_local", "dso_preemptable", "default", "hidden", "protected", "dllimport", "dllexport",
    "unnamed_addr", "local_unnamed_addr", "externally_initialized", "thread_local",
}
_GV_HEAD = re.compile(r"^(@\S+|@\"[^\"]*\") = (.*)$")
_KIND_WORD = re.compile(r"\b(global|constant|alias|ifunc)\b")
_COMDAT = re.compile(r"\bcomdat(?:\((\$(?:\"[^\"]*\"|[-a-zA-Z$._0-9]+))\))?")


def symbol_name(token: str) -> str:
    """The object-file name of an IR global token (`@foo`, `@"a b"`, or bare)."""
    name = token[1:] if token.startswith("@") else token
    if name.startswith('"'):
        name = re.sub(r"\\([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), name[1:-1])
    return name


def ir_token(name: str) -> str:
    """The IR token (without '@') for a symbol name, quoting where needed."""
    if re.fullmatch(r"[-a-zA-Z$._][-a-zA-Z$._0-9]*", name):
        return name
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\{ord(c):02X}" for c in name) + '"'


def _outside_strings(text: str, start: int = 0):
    """Yield (index, char, bracket depth after it) for characters outside string literals."""
    depth, in_str = 0, False
    for i in range(start, len(text)):
        ch = text[i]
        if ch == '"':
            in_str = not in_str
            continue
        if in_str:
            continue
        if ch in "([{<":
            depth += 1
        elif ch in ")]}>":
            depth -= 1
        yield i, ch, depth


def split_top(text: str, sep: str = ",") -> list[str]:
    """Split at `sep` outside brackets, parentheses, braces, angle brackets and strings."""
    out, start = [], 0
    for i, ch, depth in _outside_strings(text):
        if ch == sep and depth == 0:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return out


def matching_paren(text: str, open_at: int) -> int:
    """Index of the parenthesis closing the one at `open_at`."""
    for i, ch, depth in _outside_strings(text, open_at):
        if depth == 0 and ch in ")]}>":
            return i
    raise ValueError("unbalanced parentheses in IR")


@dataclass
class Entity:
    """A defined global value: function, global variable, alias or ifunc."""

    name: str  # IR token without '@' (quoted if the name needs quotes)
    kind: str  # "function" | "variable" | "alias" | "ifunc"
    text: str
    order: int
    linkage: str = "external"
    visibility: str = "default"
    comdat: str | None = None
    refs: Counter = field(default_factory=Counter)  # global name -> count (non-call uses)
    calls: Counter = field(default_factory=Counter)  # global name -> count (direct calls)
    blockaddress: set[str] = field(default_factory=set)
    instructions: int = 0
    blocks: int = 0
    _metadata: frozenset[int] | None = field(default=None, repr=False, compare=False)

    @property
    def metadata(self) -> frozenset[int]:
        """Ids of the metadata nodes the text names, found on first use: a debug build
        names one on almost every instruction, and only the partition that owns the
        definition needs them, so the coordinator never looks."""
        if self._metadata is None:
            self._metadata = metadata_ids(self.text)
        return self._metadata

    @property
    def is_local(self) -> bool:
        return self.linkage in LOCAL_LINKAGES

    @property
    def symbol(self) -> str:
        return symbol_name(self.name)

    def all_refs(self) -> set[str]:
        return set(self.refs) | set(self.calls)


@dataclass
class Declaration:
    """A global value the module declares but does not define."""

    name: str
    text: str
    linkage: str = "external"


@dataclass
class IRModule:
    """A printed module cut into its top-level pieces, in module order."""

    header: list[str]
    module_asm: list[str]
    types: list[str]
    comdats: dict[str, str]  # "$name" -> line
    entities: dict[str, Entity]
    declarations: dict[str, Declaration]
    attributes: list[str]
    named_metadata: list[str]
    metadata: "Metadata"
    predicted_s: dict[str, float] = field(default_factory=dict)  # per entity, when the cut was asked to predict
    _variable_md: frozenset[int] | None = field(default=None, repr=False, compare=False)

    def variable_metadata(self) -> frozenset[int]:
        """Ids of the metadata attached to global variable definitions (their
        `DIGlobalVariableExpression`s), found on first use."""
        if self._variable_md is None:
            self._variable_md = frozenset().union(
                *(e.metadata for e in self.entities.values() if e.kind == "variable" and "!dbg" in e.text))
        return self._variable_md

    @property
    def metadata_refs(self) -> "Metadata.Refs":
        """id -> (metadata ids, global names) the node names, scanned on first use."""
        return self.metadata.refs

    def extend(self, later: "IRModule") -> None:
        """Append the pieces of the text that followed this module's text (see
        `split_point`): the result is what cutting both texts as one gives."""
        base = len(self.entities)
        for ent in later.entities.values():
            ent.order += base
        for name in ("header", "module_asm", "types", "attributes", "named_metadata"):
            getattr(self, name).extend(getattr(later, name))
        for name in ("comdats", "entities", "declarations", "predicted_s"):
            getattr(self, name).update(getattr(later, name))
        self.metadata.extend(later.metadata)

    def metadata_closure(self, roots: set[int] | frozenset[int],
                         replaced: dict[int, frozenset[int]] | None = None) -> set[int]:
        """All metadata ids reachable from `roots` (see `metadata_reach`)."""
        return self.metadata_reach(roots, replaced)[0]

    def metadata_reach(self, roots: set[int] | frozenset[int],
                       replaced: dict[int, frozenset[int]] | None = None) -> tuple[set[int], set[str]]:
        """(ids, global names): the metadata reachable from `roots` and the globals those
        nodes name. `replaced` gives other references for some nodes (ones a split
        rewrites). Breadth first, one regex sweep over each level's lines joined: a
        debug build's partition reaches tens of thousands of nodes."""
        md = self.metadata
        replaced = replaced or {}
        seen: set[int] = set()
        names: set[str] = set()
        frontier = set(roots)
        while frontier:
            ahead: set[int] = set()
            rewritten = frontier.intersection(replaced)
            for node in rewritten:
                ahead |= replaced[node]
            seen |= rewritten
            found, lines = md.present(frontier.difference(replaced))
            seen |= found
            if lines:
                blob = "\n".join(lines)
                if "@" in blob:  # a global's name may be quoted: scan strings and names together
                    refs = _MD_SCAN.findall(blob)
                    ahead.update(int(i) for i, _ in refs if i)
                    names.update(g for _, g in refs if g)
                else:
                    ahead.update(metadata_ids(blob))
            frontier = ahead - seen
        return seen, names


class Metadata(Mapping[int, str]):
    """Numbered metadata nodes, id -> printed line. LLVM prints them last, one a line,
    in id order; a debug build has hundreds of thousands. The cutter files the lines
    without reading them (`add_run`), ids are found by position, and what a node
    references is scanned only when a closure first reaches it (`refs`), so the
    coordinator's cost does not grow with debug info and each worker reads only the
    nodes its partition needs."""

    class Refs(Mapping[int, tuple[frozenset[int], frozenset[str]]]):
        """The references of each node, scanned on first use and kept."""

        def __init__(self, md: "Metadata") -> None:
            self._md = md
            self._cache: dict[int, tuple[frozenset[int], frozenset[str]]] = {}

        def __getitem__(self, mid: int) -> tuple[frozenset[int], frozenset[str]]:
            got = self._cache.get(mid)
            if got is None:
                got = self._cache[mid] = metadata_line_refs(self._md[mid])
            return got

        def __iter__(self):
            return iter(self._md)

        def __len__(self) -> int:
            return len(self._md)

    def __init__(self) -> None:
        self._runs: list[tuple[int, list[str]]] = []  # (first id, consecutive lines)
        self._single: dict[int, str] = {}
        self.refs = Metadata.Refs(self)

    def add(self, mid: int, line: str) -> None:
        self._single[mid] = line

    def add_run(self, lines: list[str]) -> None:
        """File lines `!N = ...`, `!N+1 = ...`, ... (checked at both ends; a run that
        is not consecutive is filed line by line)."""
        if not lines:
            return
        first, last = _md_id(lines[0]), _md_id(lines[-1])
        if last - first == len(lines) - 1:
            self._runs.append((first, lines))
        else:
            for line in lines:
                self._single[_md_id(line)] = line

    def extend(self, later: "Metadata") -> None:
        self._runs.extend(later._runs)
        self._single.update(later._single)

    def present(self, ids: set[int]) -> tuple[set[int], list[str]]:
        """(those of `ids` that are here, their lines), fast for the usual single run."""
        if len(self._runs) == 1 and not self._single:
            first, run = self._runs[0]
            found = {i for i in ids if 0 <= i - first < len(run)}
            return found, [run[i - first] for i in found]
        found = {i for i in ids if i in self}
        return found, [self[i] for i in found]

    def lines(self, ids: list[int]) -> list[str]:
        """The lines of `ids` (all present), fast for the usual single run."""
        if len(self._runs) == 1 and not self._single:
            first, run = self._runs[0]
            return [run[i - first] for i in ids]
        return [self[i] for i in ids]

    def __getitem__(self, mid: int) -> str:
        for first, lines in self._runs:
            if 0 <= mid - first < len(lines):
                return lines[mid - first]
        return self._single[mid]

    def __contains__(self, mid: object) -> bool:
        for first, lines in self._runs:
            if 0 <= mid - first < len(lines):  # type: ignore[operator]
                return True
        return mid in self._single

    def __iter__(self):
        for first, lines in self._runs:
            yield from range(first, first + len(lines))
        yield from self._single

    def __len__(self) -> int:
        return sum(len(lines) for _, lines in self._runs) + len(self._single)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Metadata) and dict(self.items()) == dict(other.items())

    def __getstate__(self) -> dict:
        return {"runs": self._runs, "single": self._single}

    def __setstate__(self, state: dict) -> None:
        self._runs, self._single = state["runs"], state["single"]
        self.refs = Metadata.Refs(self)


def _md_id(line: str) -> int:
    return int(line[1:line.index(" ")])


_MD_SCAN = re.compile(r'"[^"]*"|!(\d+)|@("[^"]*"|[-a-zA-Z$._0-9]+)')


_MD_IDS = re.compile(r"!(\d+)")
_NO_GLOBALS: frozenset[str] = frozenset()


_STRING = re.compile(r'"[^"]*"')


def metadata_ids(text: str) -> frozenset[int]:
    """Ids of the metadata nodes `text` names (`!N`), string literals excluded (LLVM
    escapes a quote inside one, so a literal ends at the next quote)."""
    if '"' in text:
        text = _STRING.sub("", text)
    return frozenset(map(int, set(_MD_IDS.findall(text))))  # each distinct id converted once


def metadata_line_refs(line: str) -> tuple[frozenset[int], frozenset[str]]:
    """(metadata ids, global names) a printed metadata line references (its own id
    and anything inside string literals excluded)."""
    at = line.index(" = ")
    if "@" not in line:  # most lines (locations, scopes, tuples, names): ids only
        return metadata_ids(line[at:]), _NO_GLOBALS
    found = _MD_SCAN.findall(line, at)
    return (frozenset(int(md) for md, _ in found if md), frozenset(g for _, g in found if g))


_SCAN_GLOBALS = re.compile(r'@("[^"]*"|[-a-zA-Z$._0-9]+)(\(?)|"[^"]*"')
_BLOCKADDRESS = re.compile(r'blockaddress\(@("[^"]*"|[-a-zA-Z$._0-9]+)')


def _scan_globals(text: str, own: str | None) -> tuple[Counter, Counter, set[str]]:
    """References in `text`: (non-call uses, direct calls, blockaddress targets); the
    metadata it names is found only when a split needs it (`Entity.metadata`)."""
    refs: Counter = Counter()
    calls: Counter = Counter()
    for (name, paren), count in Counter(_SCAN_GLOBALS.findall(text)).items():
        if name and name != own:
            (calls if paren else refs)[name] += count
    blockaddr = set(_BLOCKADDRESS.findall(text)) - {own} if "blockaddress(" in text else set()
    return refs, calls, blockaddr


def _prefix_words(rest: str) -> tuple[list[str], str]:
    """Leading linkage/visibility/... words of a global definition, and the remainder."""
    words = []
    while True:
        m = re.match(r"(thread_local\([a-z]+\)|addrspace\(\d+\)|[a-z_]+)\s", rest)
        if not m or (m.group(1) not in _PREFIX_WORDS and not m.group(1).startswith(("thread_local(", "addrspace("))):
            return words, rest
        words.append(m.group(1))
        rest = rest[m.end():]


def _linkage_visibility(words: list[str]) -> tuple[str, str]:
    linkage = next((w for w in words if w in LINKAGES), "external")
    visibility = next((w for w in words if w in ("hidden", "protected")), "default")
    return linkage, visibility


TAIL_WEIGHT = 0.35  # cutting cost per character of trailing metadata, relative to function bodies


def cut_points(text: str, first_share: float = 0.5) -> tuple[int, int]:
    """(middle, tail): offsets where printed IR can be cut into three parts that are each
    cut up on their own. `tail` is the line after the last function body (what follows
    is declarations, attributes and metadata; len(text) without functions); `middle`
    the start of a function definition where the part before it and the tail hold about
    `first_share` of the cutting work, or -1 when there is none to cut at."""
    last = text.rfind("\n}\n")
    if last < 0:
        return -1, len(text)
    tail = last + 2
    first = max(text.find("\ndefine "), 0)
    # Share the work: the part before `middle` (globals too) and the tail, whose
    # metadata is filed unread at about a third of the cost per character, against the
    # function bodies from `middle` to `tail`.
    share = (tail + TAIL_WEIGHT * (len(text) - tail)) * (1 - first_share)
    mid = max(first + 1, int(tail - share))
    at = text.find("\ndefine ", mid, tail)
    if at < 0:
        at = text.rfind("\ndefine ", first + 1, mid)
    return (at if at > 0 else -1), tail


def parse_module_text(text: str) -> IRModule:
    """Cut LLVM's printed form of a module into an IRModule."""
    mod = IRModule([], [], [], {}, {}, {}, [], [], Metadata())
    order = 0
    pos = 0
    if not text.startswith("\n"):
        text = "\n" + text
    while True:
        start = text.find("\ndefine ", pos)
        region = text[pos:start + 1] if start >= 0 else text[pos:]
        if start < 0:  # the tail: numbered metadata is filed without being read
            at = _NUMBERED_MD.search(region)
            if at is not None:
                for line in region[:at.start() + 1].split("\n"):
                    if line:
                        order = _top_level_line(mod, line, order)
                _file_metadata(mod, region[at.start() + 1:])
                break
        for line in region.split("\n"):
            if line:
                order = _top_level_line(mod, line, order)
        if start < 0:
            break
        end = text.find("\n}", start)
        if end < 0:
            raise ValueError("unterminated function body in IR")
        ent = _function_entity(text[start + 1:end + 2], order)
        mod.entities[ent.name] = ent
        order += 1
        pos = end + 2
    return mod


def _top_level_line(mod: IRModule, line: str, order: int) -> int:
    """File one top-level line (not a function body) into `mod`; returns the next order."""
    c = line[0]
    if c == ";":
        return order
    if c == "@":
        ent_or_decl = _global_entity(line, order)
        if isinstance(ent_or_decl, Entity):
            mod.entities[ent_or_decl.name] = ent_or_decl
            return order + 1
        mod.declarations[ent_or_decl.name] = ent_or_decl
    elif line.startswith("declare "):
        m = GLOBAL.search(line)
        if m is None:
            raise ValueError(f"cannot parse declaration: {line[:80]}")
        linkage = "extern_weak" if " extern_weak " in line[: m.start()] else "external"
        mod.declarations[m.group(0)[1:]] = Declaration(m.group(0)[1:], line, linkage)
    elif c == "%":
        mod.types.append(line)
    elif c == "$":
        mod.comdats[line.split(" ", 1)[0]] = line
    elif line.startswith("attributes #"):
        mod.attributes.append(line)
    elif c == "!":
        head = line.partition(" = ")[0]
        if head[1:].isdigit():
            mod.metadata.add(int(head[1:]), line)
        else:
            mod.named_metadata.append(line)
    elif line.startswith("module asm"):
        mod.module_asm.append(line)
    elif line.startswith("uselistorder"):
        pass
    elif line[0] in " }":
        raise ValueError(f"unexpected IR line: {line[:80]}")
    else:
        mod.header.append(line)
    return order


_LABEL = re.compile(r"\n[^ \n;]")


_NUMBERED_MD = re.compile(r"\n!\d+ = ")
_NUMBERED_LINE = re.compile(r"\n!\d")


def _file_metadata(mod: IRModule, tail: str) -> None:
    """File the numbered metadata at the end of a printed module: consecutive `!N = `
    lines become one run; anything else (named metadata, comments) is filed as usual."""
    lines = tail.rstrip("\n").split("\n")
    if len(_NUMBERED_LINE.findall(tail)) == len(lines) - 1 and _NUMBERED_LINE.match("\n" + lines[0]):
        mod.metadata.add_run(lines)  # LLVM's printer: nothing but numbered nodes to the end
        return
    run: list[str] = []
    for line in lines:
        if not line:
            continue
        if line[0] == "!" and line[1:2].isdigit():
            run.append(line)
        else:
            _top_level_line(mod, line, 0)
    mod.metadata.add_run(run)


def _function_entity(chunk: str, order: int) -> Entity:
    header, _, body = chunk.partition("\n")
    m = GLOBAL.search(header)
    if m is None:
        raise ValueError(f"cannot parse function header: {header[:80]}")
    name = m.group(0)[1:]
    words, _ = _prefix_words(header[len("define "):])
    linkage, visibility = _linkage_visibility(words)
    tail = header[matching_paren(header, m.end()) + 1:]
    cm = _COMDAT.search(re.sub(r'"[^"]*"', '""', tail))
    comdat = (cm.group(1) or "$" + name) if cm else None
    body = "\n" + body
    instructions = body.count("\n  ") - body.count("\n    #dbg_")
    labels = len(_LABEL.findall(body)) - 1  # the closing "}" line matches too
    blocks = labels if body[1:2] not in (" ", "") else labels + 1
    refs, calls, ba = _scan_globals(chunk, name)
    return Entity(name, "function", chunk, order, linkage, visibility, comdat, refs, calls, ba,
                  instructions, max(blocks, 1))


def _global_entity(line: str, order: int) -> Entity | Declaration:
    m = _GV_HEAD.match(line)
    if not m:
        raise ValueError(f"cannot parse global: {line[:80]}")
    name = m.group(1)[1:]
    words, rest = _prefix_words(m.group(2) + " ")
    linkage, visibility = _linkage_visibility(words)
    km = _KIND_WORD.match(rest)
    kind_word = km.group(1) if km else "global"
    kind = {"global": "variable", "constant": "variable"}.get(kind_word, kind_word)
    if kind == "variable" and linkage in ("external", "extern_weak"):
        # A definition has an initializer after the type; a declaration does not.
        parts = split_top(rest[len(kind_word) + 1:].rstrip())
        if len(_type_and_init(parts[0])[1]) == 0:
            return Declaration(name, line, linkage)
    cm = _COMDAT.search(re.sub(r'"[^"]*"', '""', rest))
    comdat = (cm.group(1) or "$" + name) if cm else None
    refs, calls, ba = _scan_globals(line[m.start(2):], name)
    for callee, count in calls.items():  # a '(' after a name in an initializer is not a call
        refs[callee] += count
    return Entity(name, kind, line, order, linkage, visibility, comdat, refs, Counter(), ba, 0, 0)


def _type_and_init(text: str) -> tuple[str, str]:
    """Split `<type> <initializer>` at the end of the (possibly nested) type."""
    text = text.strip()
    for i, ch, depth in _outside_strings(text):
        if ch == " " and depth == 0:
            head = text[:i]
            # "ptr addrspace(1)" and "i32 (i32)*" style types continue past a space
            if text[i + 1:].startswith(("addrspace(", "(")) or head.endswith(","):
                continue
            return head, text[i + 1:].strip()
    return text, ""


def variable_type(ent: Entity) -> tuple[str, str]:
    """(`global`|`constant`, value type) of a global variable entity."""
    m = _GV_HEAD.match(ent.text)
    assert m is not None
    _, rest = _prefix_words(m.group(2) + " ")
    km = _KIND_WORD.match(rest)
    assert km is not None, ent.text
    ty, _ = _type_and_init(split_top(rest[km.end():].strip())[0])
    return km.group(1), ty


def _function_declaration(header: str, new_name: str, visibility: str) -> str:
    """`declare` line for a `define` header, without body-only parts."""
    m = GLOBAL.search(header)
    assert m is not None
    close = matching_paren(header, m.end())
    words, rest = _prefix_words(header[len("define "):m.start()])
    keep = [w for w in words if w not in LINKAGES and w not in ("dso_local", "dso_preemptable", *VISIBILITIES)]
    if visibility != "default":
        keep.append(visibility)
    tail = re.sub(r'"[^"]*"', "", header[close + 1:])
    tail_words = re.findall(r"\b(?:local_)?unnamed_addr\b|addrspace\(\d+\)|#\d+|\balign \d+", tail)
    args = header[m.end():close + 1]
    return " ".join(["declare", *keep, rest.strip() + f" @{new_name}{args}", *tail_words]).replace("  ", " ")


def _function_type(ty: str) -> tuple[str, str] | None:
    """(return type, parameters) when `ty` is a function type such as `i32 (i32)` or
    `{ ptr, i64 } (ptr, i64)`, else None."""
    if not ty.endswith(")"):
        return None
    depth = 0
    for i in range(len(ty) - 1, -1, -1):
        depth += {")": 1, "]": 1, "}": 1, ">": 1, "(": -1, "[": -1, "{": -1, "<": -1}.get(ty[i], 0)
        if depth == 0:
            ret = ty[:i]
            return (ret.strip(), ty[i + 1:-1]) if ret.endswith(" ") and ret.strip() else None
    return None


def declaration_for(ent: Entity, new_name: str, visibility: str) -> str:
    """A declaration of `ent` under `new_name`, for a module that does not own it."""
    if ent.kind == "function":
        return _function_declaration(ent.text.split("\n", 1)[0], new_name, visibility)
    vis = "" if visibility == "default" else f" {visibility}"
    if ent.kind in ("alias", "ifunc"):
        m = _GV_HEAD.match(ent.text)
        assert m is not None
        words, rest = _prefix_words(m.group(2) + " ")
        value_type = split_top(rest.split(" ", 1)[1])[0].strip()
        signature = _function_type(value_type)
        tls = "".join(f" {w}" for w in words if w.startswith("thread_local"))  # a TLS alias is TLS too
        # unnamed_addr: LLVM folds `icmp eq` of two distinct declarations to false, but
        # an alias may share its address with its aliasee (or another alias); it never
        # folds comparisons with an unnamed_addr global, as it never does with an alias.
        if signature is not None:
            return f"declare{vis} {signature[0]} @{new_name}({signature[1]}) unnamed_addr"
        return f"@{new_name} = external{vis}{tls} unnamed_addr global {value_type}"
    m = _GV_HEAD.match(ent.text)
    assert m is not None
    words, _ = _prefix_words(m.group(2) + " ")
    extra = [w for w in words if w.startswith(("thread_local", "addrspace("))]
    kind_word, ty = variable_type(ent)
    align = re.search(r", align (\d+)", ent.text)
    out = f"@{new_name} = external{vis}" + "".join(f" {w}" for w in extra) + f" {kind_word} {ty}"
    return out + (f", align {align.group(1)}" if align else "")


STRUCTOR_LISTS = ("llvm.global_ctors", "llvm.global_dtors")
_STRUCTOR = re.compile(r'\{ i32 (\d+), ptr (@(?:"[^"]*"|[-a-zA-Z$._0-9]+)|null), ptr (@(?:"[^"]*"|[-a-zA-Z$._0-9]+)|null) \}')


@dataclass(frozen=True)
class Structor:
    """One `llvm.global_ctors`/`dtors` entry: priority, function and key (the global
    whose presence in the final link decides whether the entry runs), names without '@'."""

    priority: int
    function: str | None
    key: str | None


def structors(text: str) -> list[Structor]:
    """The entries of a `llvm.global_ctors`/`dtors` definition's text, in list order."""
    _, _, init = text.partition("] [")
    name = lambda tok: None if tok == "null" else tok[1:]  # noqa: E731
    return [Structor(int(p), name(f), name(k)) for p, f, k in _STRUCTOR.findall(init)]


_ASM_WORD = re.compile(r"[A-Za-z_.$][A-Za-z0-9_.$]*")
_ASM_LABEL = re.compile(r"(?:^|;)\s*([A-Za-z_.$][A-Za-z0-9_.$]*):", re.M)
_ASM_EXPORT = re.compile(r"\.(?:globl|global|weak)\s+([A-Za-z_.$][A-Za-z0-9_.$]*)")


def asm_source(line: str) -> str:
    """The assembly text of a `module asm "..."` line, escapes decoded."""
    body = line[line.index('"') + 1:line.rindex('"')]
    return re.sub(r"\\([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), body)


def asm_line(source: str) -> str:
    """The `module asm` line for assembly text (the inverse of `asm_source`)."""
    return 'module asm "' + "".join(c if c.isprintable() and c not in '"\\' else f"\\{ord(c):02X}"
                                    for c in source) + '"'


@dataclass(frozen=True)
class AsmNames:
    """Names in module-level assembly: every identifier-like word, and the labels it
    defines without exporting them (`.globl`/`.weak`), which only resolve in its object."""

    words: frozenset[str]
    local_labels: frozenset[str]


def module_asm_names(lines: list[str]) -> AsmNames:
    """The names `module asm` lines use and define (see AsmNames)."""
    src = "\n".join(asm_source(line) for line in lines)
    labels = set(_ASM_LABEL.findall(src)) - set(_ASM_EXPORT.findall(src))
    return AsmNames(frozenset(_ASM_WORD.findall(src)), frozenset(labels))


def rename_asm(lines: list[str], renames: dict[str, str]) -> list[str]:
    """`module asm` lines with the symbols in `renames` (object-file names) replaced."""
    out = []
    for line in lines:
        src = asm_source(line)
        new = _ASM_WORD.sub(lambda m: renames.get(m.group(0), m.group(0)), src)
        out.append(line if new == src else asm_line(new))
    return out


_INIT_ARRAYS = {"llvm.global_ctors": ".init_array", "llvm.global_dtors": ".fini_array"}
LOWERED_PREFIX = "__pcg.structor."


def has_keyed_structors(text: str) -> bool:
    """Whether the printed `llvm.global_ctors`/`dtors` line(s) in `text` have a keyed entry."""
    return any(s.key for line in text.splitlines() if line.startswith(("@llvm.global_ctors ", "@llvm.global_dtors "))
               for s in structors(line))


def lower_structors(text: str) -> str:
    """Replace constructor/destructor lists that have a keyed entry with one explicit
    `.init_array`/`.fini_array` pointer per entry, kept by `llvm.compiler.used`: what
    clang gets from LLVM's init-array option, which llvmlite's target machine lacks.

    Left to llvmlite, the lists go to `.ctors`/`.dtors`, stored reversed, each keyed
    entry in its own section of its key's comdat group; the linker reverses each
    section on its own, so a keyed entry (a C++17 inline variable's initialiser) runs
    after the unkeyed entries listed behind it, not before. Here every entry is emitted
    in list order, a keyed one into its key's group (dropped, as LLVM drops it, when
    the key is not defined here), with its priority in the section name. Text without a
    keyed entry is returned unchanged."""
    lines = text.split("\n")
    lowered: list[str] = []
    out: list[str] = []
    used_at = None
    for line in lines:
        head = line.split(" = ", 1)[0][1:] if line.startswith("@") else ""
        if head in _INIT_ARRAYS and any(s.key for s in structors(line)):
            for s in structors(line):
                if s.function is None:
                    continue
                comdat = ""
                if s.key:
                    found = _definition_comdat(text, s.key)
                    if found is None:
                        continue  # the key is not defined here: LLVM drops the entry too
                    comdat = f", comdat({found})" if found else ""
                section = _INIT_ARRAYS[head] + ("" if s.priority == 65535 else f".{s.priority:05d}")
                name = f"{LOWERED_PREFIX}{len(lowered)}"
                lowered.append(name)
                out.append(f'@"{name}" = internal constant ptr @{s.function}, section "{section}"{comdat}')
            continue
        if head == "llvm.compiler.used":
            used_at = len(out)
        out.append(line)
    if not lowered:
        return text
    extra = [f'ptr @"{n}"' for n in lowered]
    if used_at is not None:
        old = out[used_at]
        m = re.match(r'(@llvm\.compiler\.used = appending global )\[(\d+) x ptr\] \[(.*)\](.*)$', old)
        assert m is not None, old
        items = [*split_top(m.group(3)), *extra]
        out[used_at] = f"{m.group(1)}[{len(items)} x ptr] [{', '.join(i.strip() for i in items)}]{m.group(4)}"
    else:
        at = next(i for i, ln in enumerate(out) if ln.startswith(f'@"{lowered[-1]}"')) + 1
        out.insert(at, f'@llvm.compiler.used = appending global [{len(extra)} x ptr] [{", ".join(extra)}], '
                       'section "llvm.metadata"')
    return "\n".join(out)


def _definition_comdat(text: str, name: str) -> str | None:
    """The comdat (`$name`) of the definition of global `name` in module `text`; "" for
    a definition outside any comdat; None when `text` does not define it."""
    tok = re.escape(name)
    m = re.search(rf"^(?:@{tok} = (.*)|define [^\n]*@{tok}\((.*))$", text, re.M)
    if m is None:
        return None
    line = m.group(0)
    if m.group(1) is not None and {"external", "extern_weak"} & set(_prefix_words(m.group(1) + " ")[0]):
        return None  # `@x = external global ...` declares
    cm = _COMDAT.search(re.sub(r'"[^"]*"', '""', line))
    return (cm.group(1) or "$" + name) if cm else ""


_RENAMABLE = re.compile(r'"[^"]*"|@("[^"]*"|[-a-zA-Z$._0-9]+)')


def rename_tokens(text: str, renames: dict[str, str]) -> str:
    """Replace global names (without '@') in `text`, never inside string literals."""

    def sub(m: re.Match) -> str:
        new = renames.get(m.group(1)) if m.group(1) else None
        return m.group(0) if new is None else "@" + new

    return _RENAMABLE.sub(sub, text)


def relink(text: str, linkage: str, visibility: str) -> str:
    """Rewrite the linkage and visibility words of a definition's first line."""
    first, sep, rest = text.partition("\n")
    if first.startswith("define "):
        head, body = "define ", first[len("define "):]
    else:
        eq = first.index(" = ") + 3
        head, body = first[:eq], first[eq:]
    words, remainder = _prefix_words(body + " ")
    preemption = [w for w in words if w in ("dso_local", "dso_preemptable")]
    others = [w for w in words if w not in LINKAGES and w not in preemption and w not in VISIBILITIES]
    new = ([linkage] if linkage != "external" else []) + preemption
    new += ([visibility] if visibility != "default" else []) + others
    return head + " ".join(new + [remainder.rstrip()]) + sep + rest
