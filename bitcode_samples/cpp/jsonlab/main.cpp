#include <cstdio>
#include <iostream>

#include "lab.h"

using namespace lab;

namespace {

void print_nested(const std::exception& e, int level) {
    std::cout << "  " << std::string(level * 2, ' ') << "nested[" << level << "]: " << e.what() << "\n";
    try {
        std::rethrow_if_nested(e);
    } catch (const std::exception& inner) {
        print_nested(inner, level + 1);
    }
}

void section(const char* name) { std::cout << "== " << name << " ==\n"; }

}  // namespace

int main() {
    section("globals");
    std::cout << "unit_label=" << unit_label << " primes=" << primes.size() << " prime_sum=" << prime_sum << "\n";
    std::cout << "op_names:";
    for (const auto& n : op_names) std::cout << " " << n;
    std::cout << "\ndefaults=" << defaults.dump() << "\n";
    for (int n : {1, 4, 9, 14, 40, 90, 400, 1994, 2024, 3999}) std::cout << n << "=" << roman(n) << " ";
    std::cout << "\n";

    section("shapes");
    const json specs = json::parse(R"([
        {"kind": "circle", "r": 1.5},
        {"kind": "rect", "w": 3, "h": 4.5, "name": "door"},
        {"kind": "square", "side": 2},
        {"kind": "hexagon", "side": 1},
        {"kind": "circle"}
    ])");
    Stats<double> areas;
    for (const auto& spec : specs) {
        try {
            auto shape = make_shape(spec);
            areas.add(shape->area());
            std::cout << describe(*shape) << "\n";
        } catch (const LabError& e) {
            std::cout << "LabError " << e.code << ": " << e.what() << "\n";
        } catch (const json::out_of_range& e) {
            std::cout << "json::out_of_range " << e.id << ": " << e.what() << "\n";
        }
        bump_main_counter();
    }
    std::cout << "areas " << areas.describe() << "\n";

    section("evaluator");
    const char* programs[] = {
        R"(["add", 1, 2, 3])",
        R"(["mul", ["add", 1, 2], ["sub", 10, 4], 0.5])",
        R"(["pow", 2, 10])",
        R"(["max", ["min", 3, 7], ["mod", 17, 5], {"shape": {"kind": "square", "side": 1.5}}])",
        R"(["div", 1, ["sub", 2, 2]])",
        R"(["mod", 5, 0])",
        R"(["avg", 1, 2])",
        R"(["add", 1, {"kind": "circle"}])",
        R"(["add", 1, 2)",
    };
    for (const char* text : programs) {
        try {
            const double v = eval(parse_strict(text));
            std::cout << json::parse(text).dump() << " => " << json(v).dump() << "\n";
        } catch (const EvalError& e) {
            std::cout << "EvalError " << e.code << ": " << e.what() << "\n";
        } catch (const LabError& e) {
            std::cout << "LabError " << e.code << ": " << e.what() << "\n";
        } catch (const json::parse_error& e) {
            std::cout << "parse_error " << e.id << " at byte " << e.byte << "\n";
        } catch (const std::out_of_range& e) {
            std::cout << "out_of_range: " << e.what() << "\n";
        }
        bump_main_counter();
    }

    section("nested");
    for (const char* cfg : {R"({"ok": true})", R"({"ok": tru})"}) {
        try {
            const json config = wrap_nested(cfg);
            std::cout << "config " << config.dump() << "\n";
        } catch (const std::exception& e) {
            print_nested(e, 0);
        }
    }
    try {
        try {
            fail(503, "inner");
        } catch (const LabError& e) {
            std::cout << "caught " << e.code << ", rethrowing\n";
            throw;
        }
    } catch (const std::runtime_error& e) {
        std::cout << "outer caught: " << e.what() << " (EvalError? "
                  << (dynamic_cast<const EvalError*>(&e) != nullptr) << ")\n";
    }

    section("threads");
    std::vector<std::string> lines;
    run_threads(4, lines);
    for (const auto& l : lines) std::cout << l << "\n";
    std::cout << "main tag " << tls_tag() << " uses=" << tls_uses() << "\n";
    std::cout << "tls constructed=" << tls_constructed.load() << " destroyed=" << tls_destroyed.load() << "\n";

    section("json");
    json_tour(std::cout);

    std::cout << "main counter " << bump_main_counter() << "\n";
    std::cout.flush();
    return 0;
}
