// jsonlab: a C++17 program driving nlohmann/json, written to exercise what
// module splitting must keep working for C++: comdats (templates, inline
// variables, inline vtables), vtables/typeinfo with virtual inheritance,
// exceptions crossing functions and files, dynamic initialisation (inline
// variables, ordered globals, guarded statics, thread_local) and static
// destructors.  Its stdout is deterministic.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lab {

using nlohmann::json;

// --- C++17 inline variables with dynamic initialisers --------------------
// Each is defined (in a comdat) in every file that uses it; the linker keeps
// one.  op_names reads op_table, which is defined earlier in this header, so
// it is initialised first in every translation unit.
inline std::map<std::string, int> op_table = {
    {"add", 1}, {"sub", 2}, {"mul", 3}, {"div", 4}, {"mod", 5}, {"pow", 6}, {"max", 7}, {"min", 8},
};
inline std::vector<std::string> op_names = [] {
    std::vector<std::string> v;
    for (const auto& kv : op_table) v.push_back(kv.first + "#" + std::to_string(kv.second));
    return v;
}();
inline const json defaults = json::parse(R"({"precision": 3, "unit": "cm", "scale": 2.5,
                                             "tags": ["alpha", "beta", "gamma"]})");
inline std::atomic<int> tls_constructed{0};
inline std::atomic<int> tls_destroyed{0};

// --- templates (linkonce_odr in every user) --------------------------------
template <typename T>
struct Stats {
    std::vector<T> xs;
    void add(T x) { xs.push_back(x); }
    T sum() const {
        T s{};
        for (const T& x : xs) s += x;
        return s;
    }
    T max() const {
        if (xs.empty()) throw std::logic_error("Stats::max of nothing");
        T m = xs.front();
        for (const T& x : xs)
            if (m < x) m = x;
        return m;
    }
    std::string describe() const {
        std::ostringstream os;
        os << "n=" << xs.size() << " sum=" << sum() << " max=" << max();
        return os.str();
    }
};

template <typename F, typename T>
T fold(const std::vector<T>& xs, T init, F f) {
    for (const T& x : xs) init = f(init, x);
    return init;
}

// --- class hierarchy with virtual inheritance -------------------------------
struct Named {
    explicit Named(std::string n);
    virtual ~Named();
    virtual std::string kind() const = 0;
    std::string label() const { return kind() + ":" + name; }
    std::string name;
};

struct Shape : virtual Named {
    Shape() : Named("?") {}
    virtual double area() const = 0;
    virtual double perimeter() const = 0;
};

struct Serializable : virtual Named {
    Serializable() : Named("?") {}
    virtual json to_json() const = 0;
};

struct Circle : Shape, Serializable {
    explicit Circle(double r);
    std::string kind() const override;
    double area() const override;
    double perimeter() const override;
    json to_json() const override;
    double r;
};

struct Rect : Shape, Serializable {
    Rect(std::string n, double w, double h);
    std::string kind() const override;
    double area() const override;
    double perimeter() const override;
    json to_json() const override;
    double w, h;
};

// All members inline: vtable and typeinfo are linkonce_odr in every user.
struct Square final : Rect {
    explicit Square(double s) : Named("square"), Rect("square", s, s) {}
    std::string kind() const override { return "square"; }
    json to_json() const override { return json{{"kind", kind()}, {"side", w}}; }
};

std::unique_ptr<Shape> make_shape(const json& spec);   // shapes.cpp
std::string describe(const Named& n);                   // shapes.cpp (dynamic_cast, typeid)

// --- errors (errors.cpp): thrown there, caught elsewhere -------------------
struct LabError : std::runtime_error {
    LabError(int code, const std::string& what);
    int code;
};
struct EvalError : LabError {
    using LabError::LabError;
};

[[noreturn]] void fail(int code, const std::string& what);
double checked_div(double a, double b);
int op_code(const std::string& op);
json parse_strict(const std::string& text);           // lets json::parse_error escape
json wrap_nested(const std::string& text);            // std::throw_with_nested
double eval(const json& expr);                        // evaluator.cpp

// --- globals.cpp ----------------------------------------------------------------
extern const std::string unit_label;
extern const std::vector<int> primes;
extern const int prime_sum;
const std::map<int, std::string>& roman_table();
std::string roman(int n);
int bump_main_counter();
std::string tls_tag();
int tls_uses();
void run_threads(int n, std::vector<std::string>& out);

// --- data.cpp ---------------------------------------------------------------------
void json_tour(std::ostream& out);

}  // namespace lab
