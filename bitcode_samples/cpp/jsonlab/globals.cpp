// Dynamic initialisation in a fixed order within this file, guarded statics,
// thread_local objects with dynamic initialisers, and destructors at exit.
#include <cstdio>
#include <numeric>
#include <thread>

#include "lab.h"

namespace lab {

namespace {
std::vector<int> sieve(int limit) {
    std::vector<bool> composite(limit + 1, false);
    std::vector<int> out;
    for (int i = 2; i <= limit; ++i) {
        if (composite[i]) continue;
        out.push_back(i);
        for (int j = i * i; j <= limit; j += i) composite[j] = true;
    }
    return out;
}

struct Counter {
    explicit Counter(std::string n) : name(std::move(n)) {}
    ~Counter() { std::printf("~Counter %s after %d bumps\n", name.c_str(), value); }
    std::string name;
    int value = 0;
};

// Reads the inline variable `defaults` (from lab.h, initialised before
// anything defined below it in this file).
const std::string base_unit = defaults.at("unit").get<std::string>();
}  // namespace

// Each initialiser reads the one before it.
const std::string unit_label = "[" + base_unit + "^2]";
const std::vector<int> primes = sieve(60);
const int prime_sum = std::accumulate(primes.begin(), primes.end(), 0) + static_cast<int>(unit_label.size());

const std::map<int, std::string>& roman_table() {
    static const std::map<int, std::string> table = [] {
        std::map<int, std::string> t{{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"},
                                     {90, "XC"}, {50, "L"}, {40, "XL"}, {10, "X"}, {9, "IX"},
                                     {5, "V"}, {4, "IV"}, {1, "I"}};
        return t;
    }();
    return table;
}

std::string roman(int n) {
    std::string out;
    const auto& t = roman_table();
    for (auto it = t.rbegin(); it != t.rend(); ++it)
        while (n >= it->first) {
            out += it->second;
            n -= it->first;
        }
    return out;
}

int bump_main_counter() {
    static Counter counter("main");   // guarded; destroyed at exit
    return ++counter.value;
}

namespace {
struct TlsState {
    TlsState() : tag(defaults.at("tags").at(0).get<std::string>()) { tls_constructed.fetch_add(1); }
    ~TlsState() { tls_destroyed.fetch_add(1); }
    std::string tag;
    int uses = 0;
};
thread_local TlsState tls_state;              // dynamic initialiser, runs on first use per thread
thread_local int tls_seed = prime_sum * 2;    // dynamic initialiser reading a global
}  // namespace

std::string tls_tag() {
    ++tls_state.uses;
    return tls_state.tag + "/" + std::to_string(tls_seed);
}
int tls_uses() { return tls_state.uses; }

void run_threads(int n, std::vector<std::string>& out) {
    out.assign(n, "");
    std::vector<std::thread> threads;
    std::vector<std::exception_ptr> errors(n);
    for (int i = 0; i < n; ++i)
        threads.emplace_back([i, n, &out, &errors] {
            try {
                Stats<long> st;
                for (int k = 1; k <= 1000 * (i + 1); ++k) st.add(static_cast<long>(k) * k % 97);
                tls_seed += i;
                std::string tag;
                for (int k = 0; k <= i; ++k) tag = tls_tag();
                out[i] = "thread " + std::to_string(i) + ": " + st.describe() + " tag=" + tag +
                         " uses=" + std::to_string(tls_uses());
                if (i == n - 1) fail(409, "thread " + std::to_string(i) + " refuses");
            } catch (...) {
                errors[i] = std::current_exception();   // rethrown on the main thread
            }
        });
    for (auto& t : threads) t.join();
    for (int i = 0; i < n; ++i)
        if (errors[i]) {
            try {
                std::rethrow_exception(errors[i]);
            } catch (const LabError& e) {
                out[i] += " error(" + std::to_string(e.code) + ")=" + e.what();
            }
        }
}

}  // namespace lab
