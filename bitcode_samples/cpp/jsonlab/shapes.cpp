// Key functions of the hierarchy: the vtables, VTTs and typeinfo of Named,
// Circle and Rect are emitted here; Square's are inline (comdat) wherever used.
#include <cmath>
#include <typeinfo>

#include "lab.h"

namespace lab {

static const double kPi = 3.14159265358979323846;

Named::Named(std::string n) : name(std::move(n)) {}
Named::~Named() = default;

Circle::Circle(double radius) : Named("circle"), r(radius) {}
std::string Circle::kind() const { return "circle"; }
double Circle::area() const { return kPi * r * r; }
double Circle::perimeter() const { return 2 * kPi * r; }
json Circle::to_json() const { return json{{"kind", kind()}, {"r", r}}; }

Rect::Rect(std::string n, double width, double height) : Named(n), w(width), h(height) {}
std::string Rect::kind() const { return "rect"; }
double Rect::area() const { return w * h; }
double Rect::perimeter() const { return 2 * (w + h); }
json Rect::to_json() const { return json{{"kind", kind()}, {"w", w}, {"h", h}}; }

std::unique_ptr<Shape> make_shape(const json& spec) {
    const std::string kind = spec.at("kind").get<std::string>();   // may throw json::out_of_range
    if (kind == "circle") return std::make_unique<Circle>(spec.at("r").get<double>());
    if (kind == "rect") return std::make_unique<Rect>(spec.value("name", "rect"), spec.at("w"), spec.at("h"));
    if (kind == "square") return std::make_unique<Square>(spec.at("side").get<double>());
    fail(404, "unknown shape kind '" + kind + "'");
}

std::string describe(const Named& n) {
    std::ostringstream os;
    os << n.label();
    // Cross-casts through the virtual base need the full typeinfo graph.
    if (auto* s = dynamic_cast<const Shape*>(&n)) {
        os.setf(std::ios::fixed);
        os.precision(defaults.at("precision").get<int>());
        os << " area=" << s->area() << " perimeter=" << s->perimeter();
    }
    if (auto* j = dynamic_cast<const Serializable*>(&n)) os << " json=" << j->to_json().dump();
    os << " square?" << (dynamic_cast<const Square*>(&n) != nullptr);
    os << " type=" << typeid(n).name();
    return os.str();
}

}  // namespace lab
