// A tour of nlohmann/json: parsing, serialisation, iteration, pointers,
// patches, binary formats, user types and the library's own exceptions.
#include <algorithm>
#include <iomanip>

#include "lab.h"

namespace lab {

namespace {

struct Part {
    std::string id;
    int qty = 0;
    double price = 0;
    std::vector<std::string> tags;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Part, id, qty, price, tags)

const char* kInventory = R"({
  "store": "Main St. \u00e9picerie",
  "open": true,
  "rating": 4.25,
  "since": 1998,
  "manager": null,
  "parts": [
    {"id": "bolt-m4", "qty": 1200, "price": 0.05, "tags": ["metal", "small"]},
    {"id": "gear-17", "qty": 35, "price": 3.75, "tags": ["metal"]},
    {"id": "belt-x", "qty": 0, "price": 12.5, "tags": []},
    {"id": "lens-2", "qty": 7, "price": 149.99, "tags": ["glass", "fragile", "optics"]}
  ],
  "geo": {"lat": 48.8566, "lon": 2.3522, "alt": -1.5e2},
  "ids": [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
})";

void walk(const json& j, const std::string& path, std::map<std::string, int>& kinds, std::ostream& out, int depth) {
    kinds[j.type_name()]++;
    if (j.is_structured()) {
        for (auto it = j.begin(); it != j.end(); ++it) {
            const std::string key = j.is_object() ? it.key() : std::to_string(std::distance(j.begin(), it));
            walk(*it, path + "/" + key, kinds, out, depth + 1);
        }
    } else if (depth <= 2) {
        out << "  leaf " << path << " = " << j.dump() << "\n";
    }
}

std::string hex_prefix(const std::vector<std::uint8_t>& bytes, std::size_t n) {
    std::ostringstream os;
    for (std::size_t i = 0; i < std::min(n, bytes.size()); ++i)
        os << std::hex << std::setw(2) << std::setfill('0') << static_cast<int>(bytes[i]);
    return os.str();
}

template <typename Fn>
void expect_error(std::ostream& out, const char* what, Fn&& fn) {
    try {
        fn();
        out << "  " << what << ": no error\n";
    } catch (const json::parse_error& e) {
        out << "  " << what << ": parse_error id=" << e.id << " byte=" << e.byte << " | " << e.what() << "\n";
    } catch (const json::exception& e) {
        out << "  " << what << ": " << e.id << " | " << e.what() << "\n";
    }
}

}  // namespace

void json_tour(std::ostream& out) {
    const json doc = json::parse(kInventory);
    out << "compact: " << doc.dump().size() << " bytes, pretty: " << doc.dump(2).size() << " bytes\n";
    out << "ascii: " << doc["store"].dump(-1, ' ', true) << "\n";

    std::map<std::string, int> kinds;
    walk(doc, "", kinds, out, 0);
    for (const auto& kv : kinds) out << "  kind " << kv.first << " x" << kv.second << "\n";

    // Typed access and user-defined conversions.
    auto parts = doc.at("parts").get<std::vector<Part>>();
    std::sort(parts.begin(), parts.end(), [](const Part& a, const Part& b) { return a.price * a.qty > b.price * b.qty; });
    Stats<double> value;
    for (const Part& p : parts) {
        value.add(p.price * p.qty);
        out << "  part " << p.id << " qty=" << p.qty << " tags=" << json(p.tags).dump() << "\n";
    }
    out << "stock value " << json(value.sum()).dump() << " (" << value.describe() << ")\n";
    json back = parts;
    out << "round trip equal: " << (back.size() == doc["parts"].size()) << " first=" << back[0].dump() << "\n";

    // Pointers, flatten, patches.
    out << "pointer /geo/lat = " << doc.at("/geo/lat"_json_pointer) << "\n";
    out << "pointer /parts/3/tags/2 = " << doc.at(json::json_pointer("/parts/3/tags/2")) << "\n";
    const json flat = doc["geo"].flatten();
    out << "flatten geo: " << flat.dump() << " -> " << flat.unflatten().dump() << "\n";
    json edited = doc;
    edited["parts"][1]["qty"] = 34;
    edited["manager"] = "Ada";
    edited["ids"].erase(0);
    edited.erase("rating");
    const json patch = json::diff(doc, edited);
    out << "diff: " << patch.dump() << "\n";
    out << "patch ok: " << (doc.patch(patch) == edited) << "\n";
    json merged = doc["geo"];
    merged.merge_patch(R"({"alt": null, "zone": "UTC+1"})"_json);
    out << "merge_patch: " << merged.dump() << "\n";

    // Binary formats.
    const auto cbor = json::to_cbor(doc);
    const auto msgpack = json::to_msgpack(doc);
    const auto ubjson = json::to_ubjson(doc);
    const auto bson = json::to_bson(doc);
    out << "cbor " << cbor.size() << " " << hex_prefix(cbor, 12) << " back=" << (json::from_cbor(cbor) == doc) << "\n";
    out << "msgpack " << msgpack.size() << " " << hex_prefix(msgpack, 12) << " back=" << (json::from_msgpack(msgpack) == doc) << "\n";
    out << "ubjson " << ubjson.size() << " back=" << (json::from_ubjson(ubjson) == doc) << "\n";
    out << "bson " << bson.size() << " back=" << (json::from_bson(bson) == doc) << "\n";

    // Insertion order and sorting of values.
    nlohmann::ordered_json ordered;
    for (const auto& name : op_names) ordered[name.substr(0, name.find('#'))] = name;
    ordered["zzz_first_inserted_last"] = true;
    out << "ordered: " << ordered.dump() << "\n";
    std::vector<int> ids = doc["ids"];
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    out << "ids sorted unique: " << json(ids).dump() << " sum=" << fold(ids, 0, [](int a, int b) { return a + b; }) << "\n";

    // Floating-point output is shortest round-trip.
    json nums = json::array({0.1, 1.0 / 3, 2.5e-8, 1e21, -0.0, 123456789.125, 3.0});
    out << "numbers: " << nums.dump() << "\n";
    out << "sax accept: " << json::accept(kInventory) << " " << json::accept("{\"a\": [1, 2,]}") << "\n";

    // The library's exceptions.
    expect_error(out, "truncated", [] { (void)json::parse(R"({"a": [1, 2)"); });
    expect_error(out, "bad literal", [] { (void)json::parse("[true, flase]"); });
    expect_error(out, "type", [&] { (void)doc["store"].get<int>(); });
    expect_error(out, "range", [&] { (void)doc["ids"].at(99); });
    expect_error(out, "key", [&] { (void)doc.at("missing"); });
    expect_error(out, "pointer", [&] { (void)doc.at("/geo/0"_json_pointer); });
    expect_error(out, "iterator", [&] { (void)json(5).erase(doc["ids"].begin()); });
    expect_error(out, "bad cbor", [] { (void)json::from_cbor(std::vector<std::uint8_t>{0x9f, 0x01}); });
}

}  // namespace lab
