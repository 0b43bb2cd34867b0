#include "player/report/markup.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace pingpong::player::markup {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

/// The length of the UTF-8 sequence at s[i] that XML accepts, or 0.
std::size_t xml_char_length(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1Fu;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0Fu;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07u;
  }
  if (len == 0 || i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0u) != 0x80u) return 0;
    cp = (cp << 6) | (cc & 0x3Fu);
  }
  const bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
  const bool excluded = cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF;
  return overlong || excluded ? 0 : len;
}

void escape_ascii(char ch, std::string& out) {
  switch (ch) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&#39;";
      break;
    case '\t':
    case '\n':
      out += ch;
      break;
    default:
      if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f)
        out += replacement;
      else
        out += ch;
  }
}

/// Elements written self-closed when empty: HTML's void elements the report
/// uses and the SVG shapes.
bool self_closing(std::string_view tag) {
  constexpr std::array<std::string_view, 6> tags = {"meta", "br", "line", "rect", "polyline", "path"};
  return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

}  // namespace

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      escape_ascii(s[i++], out);
    } else if (const std::size_t len = xml_char_length(s, i)) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += replacement;
      ++i;
    }
  }
  return out;
}

element::element(std::string_view tag) : tag_(tag) {}
element::element(element&&) noexcept = default;
element& element::operator=(element&&) noexcept = default;
element::~element() = default;

element& element::attr(std::string_view name, std::string_view value) {
  attributes_ += ' ';
  attributes_ += name;
  attributes_ += "=\"";
  attributes_ += escape(value);
  attributes_ += '"';
  return *this;
}

element& element::set_class(std::string_view name) {
  return name.empty() ? *this : attr("class", name);
}

element& element::text(std::string_view s) {
  return raw(escape(s));
}

element& element::raw(std::string_view markup) {
  if (markup.empty()) return *this;
  if (!contents_.empty() && !contents_.back().child)
    contents_.back().markup += markup;
  else
    contents_.push_back({std::string(markup), nullptr});
  return *this;
}

element& element::add(std::string_view tag) {
  return add(element(tag));
}

element& element::add(std::string_view tag, std::string_view cls, std::string_view s) {
  return add(tag).set_class(cls).text(s);
}

element& element::add(element child) {
  contents_.push_back({{}, std::make_unique<element>(std::move(child))});
  return *contents_.back().child;
}

void element::write_to(std::string& out) const {
  out += '<';
  out += tag_;
  out += attributes_;
  if (contents_.empty() && self_closing(tag_)) {
    out += "/>";
    return;
  }
  out += '>';
  for (const content& c : contents_) {
    if (c.child)
      c.child->write_to(out);
    else
      out += c.markup;
  }
  out += "</";
  out += tag_;
  out += '>';
}

std::string element::str() const {
  std::string out;
  write_to(out);
  return out;
}

}  // namespace pingpong::player::markup
