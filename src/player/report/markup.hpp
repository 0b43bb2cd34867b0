// A small builder for the HTML report and its SVG charts, in the style of
// choc::html::HTMLElement: elements are built as a tree, attributes and text
// escaped as they are added, and the whole written once. Nothing the report
// prints is pasted into markup by string concatenation.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pingpong::player::markup {

/// `s` for HTML/XML text and attribute values: & < > " ' as entities;
/// invalid UTF-8, control characters (but tab and newline) and the code
/// points XML excludes become U+FFFD, so whatever a file name holds, the
/// document stays well-formed.
std::string escape(std::string_view s);

/// One element and everything inside it. Thread: any; one owner.
class element {
 public:
  explicit element(std::string_view tag);
  element(element&&) noexcept;
  element& operator=(element&&) noexcept;
  ~element();

  /// Adds the attribute name="value" (value escaped), in the order added.
  element& attr(std::string_view name, std::string_view value);
  /// attr("class", name); nothing when name is "".
  element& set_class(std::string_view name);
  /// Adds text (escaped).
  element& text(std::string_view s);
  /// Adds markup as it is: only for what the report itself wrote (its style sheet).
  element& raw(std::string_view markup);
  /// Adds a child element and returns it; the reference stays valid while
  /// this element lives, whatever is added after it.
  element& add(std::string_view tag);
  /// add(tag).set_class(cls).text(s): the common leaf.
  element& add(std::string_view tag, std::string_view cls, std::string_view s);
  /// Moves `child` in as the last content and returns it.
  element& add(element child);
  bool empty() const noexcept { return contents_.empty(); }

  /// The element as text. An element with no content is written self-closed
  /// when HTML has it void or it is an SVG shape (<meta .../>, <rect .../>),
  /// else as <tag></tag> (an HTML parser reads <span/> as an open tag).
  std::string str() const;
  void write_to(std::string& out) const;

 private:
  struct content {
    std::string markup;              ///< escaped text or raw markup, when child is null
    std::unique_ptr<element> child;  ///< heap-held: references to it survive later adds
  };
  std::string tag_;
  std::string attributes_;  ///< written: ` name="value"`...
  std::vector<content> contents_;
};

}  // namespace pingpong::player::markup
