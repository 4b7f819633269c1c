// A JSON expression evaluator: ["op", a, b] arrays, numbers and {"shape": ...}
// leaves.  Dispatches through op_table (inline variable) and std::function.
#include <cmath>
#include <functional>

#include "lab.h"

namespace lab {

namespace {
using BinOp = std::function<double(double, double)>;

const std::vector<BinOp>& ops() {
    // Guarded static local with a dynamic initialiser.
    static const std::vector<BinOp> table = {
        nullptr,
        [](double a, double b) { return a + b; },
        [](double a, double b) { return a - b; },
        [](double a, double b) { return a * b; },
        [](double a, double b) { return checked_div(a, b); },
        [](double a, double b) {
            if (b == 0) fail(501, "modulo by zero");
            return std::fmod(a, b);
        },
        [](double a, double b) { return std::pow(a, b); },
        [](double a, double b) { return a < b ? b : a; },
        [](double a, double b) { return a < b ? a : b; },
    };
    return table;
}
}  // namespace

double eval(const json& expr) {
    if (expr.is_number()) return expr.get<double>();
    if (expr.is_object()) {
        if (expr.contains("shape")) return make_shape(expr["shape"])->area();
        fail(400, "object without 'shape': " + expr.dump());
    }
    if (!expr.is_array() || expr.empty()) fail(400, "bad expression: " + expr.dump());
    const int code = op_code(expr[0].get<std::string>());
    double acc = eval(expr.at(1));
    for (std::size_t i = 2; i < expr.size(); ++i) acc = ops()[code](acc, eval(expr[i]));
    return acc;
}

}  // namespace lab
