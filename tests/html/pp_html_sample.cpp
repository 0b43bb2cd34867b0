// pp_html_sample OUT.html [--hostile] — writes the compare report of the
// synthetic sample data (the same the unit test uses) for check_html.sh and
// the docs screenshot; --hostile: the edge-case report (NaN, invalid UTF-8...).
#include <cstdio>
#include <cstring>
#include <fstream>

#include "fixtures/sample_report.hpp"
#include "player/report/html.hpp"

int main(int argc, char** argv) {
  const bool hostile = argc == 3 && std::strcmp(argv[2], "--hostile") == 0;
  if (argc != 2 && !hostile) {
    std::fprintf(stderr, "usage: pp_html_sample OUT.html [--hostile]\n");
    return 2;
  }
  namespace t = pingpong::html_test;
  std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
  out << pingpong::player::render_html(hostile ? t::make_hostile_report() : t::make_sample_report());
  out.close();
  if (!out) {
    std::fprintf(stderr, "pp_html_sample: cannot write %s\n", argv[1]);
    return 1;
  }
  return 0;
}
