// Domain helpers for e-mail addresses (the email.* namespace).
//
// Portals whitelist e-mail domains per client and treat plus-addressed
// accounts specially; these helpers make such rules one call long. Domains
// compare case-insensitively (ASCII); local parts keep their case.
#include "engine/catalogue.h"
#include "engine/function_registry.h"

namespace castellan::engine {
namespace {

using K = Value::Kind;
using Args = std::span<const Value>;

char LowerAscii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

// Splits at the last '@'; false when there is none or a side is empty.
bool Split(const std::string& email, std::string_view* local, std::string_view* domain) {
  size_t at = email.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == email.size()) return false;
  *local = std::string_view(email).substr(0, at);
  *domain = std::string_view(email).substr(at + 1);
  return true;
}

Value NotAnEmail(const std::string& s) {
  return Value::Error(ErrorKind::kInvalidArgument, "not an e-mail address: \"" + s + "\"");
}

bool ValidLabel(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
    return false;
  for (char c : label) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsValidEmail(const std::string& s) {
  size_t at = s.find('@');
  if (at == std::string::npos || s.find('@', at + 1) != std::string::npos || at == 0) return false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') return false;
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  std::string_view domain = std::string_view(s).substr(at + 1);
  if (domain.empty() || domain.back() == '.') return false;
  size_t labels = 0;
  size_t start = 0;
  while (true) {
    size_t dot = domain.find('.', start);
    std::string_view label =
        domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!ValidLabel(label)) return false;
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels >= 2;
}

bool EqualIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

// "*.example.com" matches strict subdomains; anything else matches exactly.
// Both sides compare case-insensitively, in place.
bool DomainMatches(std::string_view domain, std::string_view pattern) {
  if (pattern.size() > 2 && pattern[0] == '*' && pattern[1] == '.') {
    std::string_view suffix = pattern.substr(1);  // ".example.com"
    return domain.size() > suffix.size() &&
           EqualIgnoringCase(domain.substr(domain.size() - suffix.size()), suffix);
  }
  return EqualIgnoringCase(domain, pattern);
}

Value Domain(Args a) {
  if (!(a.size() == 1 && a[0].kind() == K::kString)) return NoMatchingOverload("email.domain", a);
  std::string_view local, domain;
  if (!Split(a[0].string_value(), &local, &domain)) return NotAnEmail(a[0].string_value());
  return Value::String(Lower(domain));
}

Value Local(Args a) {
  if (!(a.size() == 1 && a[0].kind() == K::kString)) return NoMatchingOverload("email.local", a);
  std::string_view local, domain;
  if (!Split(a[0].string_value(), &local, &domain)) return NotAnEmail(a[0].string_value());
  return Value::String(std::string(local));
}

Value IsPlusAddressed(Args a) {
  if (!(a.size() == 1 && a[0].kind() == K::kString))
    return NoMatchingOverload("email.isPlusAddressed", a);
  std::string_view local, domain;
  if (!Split(a[0].string_value(), &local, &domain)) return NotAnEmail(a[0].string_value());
  return Value::Bool(local.find('+') != std::string_view::npos);
}

Value Normalize(Args a) {
  if (!(a.size() == 1 && a[0].kind() == K::kString))
    return NoMatchingOverload("email.normalize", a);
  std::string_view local, domain;
  if (!Split(a[0].string_value(), &local, &domain)) return NotAnEmail(a[0].string_value());
  std::string_view base = local.substr(0, local.find('+'));
  return Value::String(Lower(base) + "@" + Lower(domain));
}

Value IsValid(Args a) {
  if (!(a.size() == 1 && a[0].kind() == K::kString)) return NoMatchingOverload("email.isValid", a);
  return Value::Bool(IsValidEmail(a[0].string_value()));
}

Value DomainIn(Args a) {
  if (!(a.size() == 2 && a[0].kind() == K::kString && a[1].kind() == K::kList)) {
    return NoMatchingOverload("email.domainIn", a);
  }
  std::string_view local, domain;
  if (!Split(a[0].string_value(), &local, &domain)) return NotAnEmail(a[0].string_value());
  for (const Value& entry : a[1].list_value()) {
    if (entry.kind() == K::kString && DomainMatches(domain, entry.string_value()))
      return Value::Bool(true);
  }
  return Value::Bool(false);
}

}  // namespace

void AddEmailFunctions(Catalogue& c) {
  c.BeginFamily("Email helpers", "Castellan's helpers for e-mail addresses (`email.*`).");
  c.AddFunction("email.domain", {"email.domain(string) -> string"}, Domain,
                {"The part after the last `@`, lower-cased; an error if there is no `@`.",
                 "email.domain('Ann@Example.COM') == 'example.com'"});
  c.AddFunction(
      "email.local", {"email.local(string) -> string"}, Local,
      {"The part before the last `@`, as written.", "email.local('Ann@example.com') == 'Ann'"});
  c.AddFunction(
      "email.isPlusAddressed", {"email.isPlusAddressed(string) -> bool"}, IsPlusAddressed,
      {"Whether the local part contains `+`.", "email.isPlusAddressed('ann+tag@example.com')"});
  c.AddFunction("email.normalize", {"email.normalize(string) -> string"}, Normalize,
                {"Lower-cased, with any `+tag` removed from the local part.",
                 "email.normalize('Ann+x@Example.com') == 'ann@example.com'"});
  c.AddFunction("email.isValid", {"email.isValid(string) -> bool"}, IsValid,
                {"Exactly one `@`, no whitespace, a non-empty local part, an ASCII domain of at "
                 "least two dot-separated labels (letters, digits, inner hyphens), no trailing "
                 "dot.",
                 "email.isValid('ann@example.com') && !email.isValid('ann@localhost')"});
  c.AddFunction("email.domainIn", {"email.domainIn(string, list(string)) -> bool"}, DomainIn,
                {"The domain matches an entry exactly (case-insensitive), or `*.example.com` "
                 "for strict subdomains; `partner.com.evil.io` does not match `partner.com`.",
                 "email.domainIn('a@eu.partner.com', ['*.partner.com']) && "
                 "!email.domainIn('a@evil-partner.com', ['partner.com'])"});
}

}  // namespace castellan::engine
