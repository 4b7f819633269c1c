"""LLVM SplitModule's rules (llvm/lib/Transforms/Utils/SplitModule.cpp, as `llvm-split`
runs it by default, i.e. without `-preserve-locals`).

`findPartitions` first gathers clusters that must not be separated: members of a comdat
with more than one member, an alias or ifunc with its aliasee object or resolver, a
function with every global value that uses one of its block addresses. (Locals are
externalised as hidden first, so they form no clusters.) Each cluster goes, whole, onto
the partition that holds the fewest *symbols* so far. Everything else is placed by
`isInPartition`: the MD5 of the name of its partitioning root (the comdat's name where it
has a comdat), `(R[0] | R[1] << 8) % N`.

With `-round-robin`, external function definitions (locals count: they were
externalised) that no cluster placed go, in module order, onto the partition with the
fewest such functions; everything else still goes by hash.
"""

from __future__ import annotations

from pcodegen.graph import ModuleGraph
from pcodegen.ir.text import symbol_name
from pcodegen.partition import strategy
from pcodegen.partition.units import md5_bucket

class StdPriorityQueue:
    """`std::priority_queue` with a comparator, as libstdc++ implements it (push_heap /
    pop_heap with the same hole-filling steps), so that ties between equal elements come
    out in the same order as in the real `llvm-split`."""

    def __init__(self, less):
        self.less = less  # less(a, b): a has lower priority than b
        self.c: list = []

    def _push_heap(self, hole: int, top: int, value) -> None:
        c, less = self.c, self.less
        parent = (hole - 1) // 2
        while hole > top and less(c[parent], value):
            c[hole] = c[parent]
            hole = parent
            parent = (hole - 1) // 2
        c[hole] = value

    def push(self, value) -> None:
        self.c.append(value)
        self._push_heap(len(self.c) - 1, 0, value)

    def top(self):
        return self.c[0]

    def pop(self):
        c, less = self.c, self.less
        result = c[0]
        value = c.pop()
        length = len(c)
        if length:
            hole = second = 0
            while second < (length - 1) // 2:
                second = 2 * (second + 1)
                if less(c[second], c[second - 1]):
                    second -= 1
                c[hole] = c[second]
                hole = second
            if length % 2 == 0 and second == (length - 2) // 2:
                second = 2 * (second + 1)
                c[hole] = c[second - 1]
                hole = second - 1
            self._push_heap(hole, 0, value)
        return result


def _compare_clusters(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """SplitModule's `compareClusters` on (partition, count)."""
    if a[1] or b[1]:
        return a[1] > b[1]
    return a[0] > b[0]


def _unnamed_names(graph: ModuleGraph) -> dict[str, str]:
    """SplitModule names unnamed globals `__llvmsplit_unnamed` as it externalises
    functions, then variables, aliases and ifuncs; the symbol table makes the repeats
    unique as `.1`, `.2`, ..."""
    g = graph.g
    unnamed = sorted((n for n in g if n.isdigit()),
                     key=lambda n: (_KIND_RANK.get(g.nodes[n]["kind"], 4), g.nodes[n]["order"]))
    return {n: "__llvmsplit_unnamed" + (f".{i}" if i else "") for i, n in enumerate(unnamed)}


def _hash_name(graph: ModuleGraph, name: str, unnamed: dict[str, str]) -> str:
    comdat = graph.g.nodes[name].get("comdat")
    if comdat:
        return symbol_name(comdat[1:])  # "$name" -> name
    return unnamed.get(name) or symbol_name(name)


# SplitModule visits M.functions(), then M.globals(), M.aliases(), M.ifuncs().
_KIND_RANK = {"function": 0, "variable": 1, "alias": 2, "ifunc": 3}


def _clusters(graph: ModuleGraph) -> list[list[str]]:
    """The clusters `findPartitions` builds, in the order it walks them.

    The walk is over an `EquivalenceClasses` in insertion order, visiting each class at
    its leader; `unionSets(a, b)` inserts a then b and keeps a's leader. Insertions
    happen as `recordGVSet` visits functions, variables, aliases and ifuncs: the second
    member of a comdat joins the first; an alias or ifunc joins its aliasee object
    (resolver); a function joins every global value that uses its block addresses."""
    g = graph.g
    units = [u for u in graph.units if len(u.members) > 1]
    in_cluster = {m for u in units for m in u.members}
    pos: dict[str, int] = {}
    parent: dict[str, str] = {}
    leader: dict[str, str] = {}

    def insert(x: str) -> None:
        if x not in pos:
            pos[x] = len(pos)
            parent[x] = leader[x] = x

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        insert(a)
        insert(b)
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra  # ra's leader stays the leader

    visit = sorted(in_cluster, key=lambda n: (_KIND_RANK.get(g.nodes[n]["kind"], 4), g.nodes[n]["order"]))
    first_of_comdat: dict[str, str] = {}
    ba_users: dict[str, list[str]] = {}  # function -> users of its block addresses
    if graph.ir is not None:
        for user in visit:
            ent = graph.ir.entities.get(user)
            for target in sorted(ent.blockaddress) if ent is not None else ():
                ba_users.setdefault(target, []).append(user)
    for name in visit:
        d = g.nodes[name]
        comdat = d.get("comdat")
        if comdat:
            if comdat in first_of_comdat:
                union(first_of_comdat[comdat], name)
            else:
                first_of_comdat[comdat] = name
        if d["kind"] in ("alias", "ifunc"):
            for target in _alias_roots(graph, name):
                union(name, target)
        if d["kind"] == "function":
            for user in ba_users.get(name, ()):
                union(name, user)
    # Anything grouped by the graph for another reason joins its group's first member.
    for unit in units:
        for m in unit.members[1:]:
            union(unit.members[0], m)
    out = []
    for x in sorted(pos, key=pos.__getitem__):
        r = find(x)
        if leader[r] == x:
            out.append(sorted((m for m in pos if find(m) == r), key=pos.__getitem__))
    return out


def _alias_roots(graph: ModuleGraph, name: str) -> list[str]:
    """The global object an alias or ifunc finally points to (through other aliases)."""
    g = graph.g
    seen, todo, roots = {name}, [name], []
    while todo:
        x = todo.pop()
        for t in g.successors(x):
            if t in seen:
                continue
            seen.add(t)
            if g.nodes[t]["kind"] in ("alias", "ifunc"):
                todo.append(t)
            else:
                roots.append(t)
    return sorted(roots, key=lambda n: g.nodes[n]["order"])


def _place_clusters(graph: ModuleGraph, parts: int, out: dict[str, int]) -> None:
    """Each cluster onto the partition with the fewest members so far."""
    queue = StdPriorityQueue(_compare_clusters)
    for p in range(parts):
        queue.push((p, 0))
    for members in _clusters(graph):
        p, count = queue.pop()
        for m in members:
            out[m] = p
        queue.push((p, count + len(members)))


@strategy("llvm-hash")
def llvm_hash(graph: ModuleGraph, parts: int, workers: int) -> dict[str, int]:
    """SplitModule's default: clusters by member count, the rest by MD5 of the name."""
    out: dict[str, int] = {}
    _place_clusters(graph, parts, out)
    unnamed = _unnamed_names(graph)
    for name in graph.g:
        if name not in out:
            out[name] = md5_bucket(_hash_name(graph, name, unnamed), parts)
    return out


@strategy("llvm-round-robin")
def llvm_round_robin(graph: ModuleGraph, parts: int, workers: int) -> dict[str, int]:
    """SplitModule's `-round-robin`: clusters first, then unclustered external function
    definitions in module order onto the partition with the fewest external functions,
    everything else by MD5 of the name."""
    g = graph.g
    out: dict[str, int] = {}
    _place_clusters(graph, parts, out)

    def external_function(name: str) -> bool:
        d = g.nodes[name]
        # externalizeGlobal() has turned internal/private into external hidden.
        return d["kind"] == "function" and d["linkage"] in ("external", "internal", "private")

    counts = [0] * parts
    unmapped = []
    for name in sorted(g, key=lambda n: g.nodes[n]["order"]):
        if not external_function(name):
            continue
        if name in out:
            counts[out[name]] += 1
        else:
            unmapped.append(name)
    queue = StdPriorityQueue(_compare_clusters)
    for p in range(parts):
        queue.push((p, counts[p]))
    for name in unmapped:
        p, count = queue.pop()
        out[name] = p
        queue.push((p, count + 1))
    unnamed = _unnamed_names(graph)
    for name in g:
        if name not in out:
            out[name] = md5_bucket(_hash_name(graph, name, unnamed), parts)
    return out
