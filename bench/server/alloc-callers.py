# Who calls the native allocators (Map's set, the Map constructor, iterators' next...) in a sampling
# heap profile (`serverside.ts` with ALLOC_PROFILE): bytes per request by the first JavaScript callers.
#     python3 bench/server/alloc-callers.py /tmp/alloc.json 10000 [set,Map,next,keys]
import collections, json, re, sys
profile = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
names = (sys.argv[3] if len(sys.argv) > 3 else "set,Map,next,keys").split(",")
def short(u):
    u = re.sub(r".*node_modules/", "nm:", u)
    return re.sub(r"^file://.*?/(src|bench|dist)/", r"\1/", u)
found = {t: collections.Counter() for t in names}
def walk(node, stack):
    f = node["callFrame"]
    key = f"{f['functionName'] or '(anonymous)'} {short(f['url'])}:{f['lineNumber'] + 1}"
    if f["url"] == "" and f["functionName"] in found and node["selfSize"] > 0:
        callers = [s for s in reversed(stack) if " :0" not in s][:3]
        found[f["functionName"]][" <- ".join(callers)] += node["selfSize"]
    for c in node.get("children", []):
        walk(c, stack + [key])
walk(profile["head"], [])
for t, c in found.items():
    print(f"== {t}: {sum(c.values()) / n:.0f} B/request")
    for k, v in c.most_common(8):
        print(f"{v / n:8.0f} B/request  {k[:230]}")
