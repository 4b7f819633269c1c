// Exceptions are thrown here and caught in main.cpp / evaluator.cpp, so the
// throw and the landing pad usually end up in different partitions.
#include "lab.h"

namespace lab {

LabError::LabError(int c, const std::string& what) : std::runtime_error(what), code(c) {}

void fail(int code, const std::string& what) {
    if (code >= 500) throw EvalError(code, "eval: " + what);
    throw LabError(code, what);
}

double checked_div(double a, double b) {
    if (b == 0) fail(500, "division by zero");
    return a / b;
}

int op_code(const std::string& op) {
    auto it = op_table.find(op);
    if (it == op_table.end()) throw std::out_of_range("no operator '" + op + "'");
    return it->second;
}

json parse_strict(const std::string& text) { return json::parse(text); }

json wrap_nested(const std::string& text) {
    try {
        return parse_strict(text);
    } catch (const json::exception&) {
        std::throw_with_nested(LabError(422, "while reading config"));
    }
}

}  // namespace lab
