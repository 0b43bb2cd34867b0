// The machine a lab report names: CPU model, cores, kernel.
#pragma once

#include <string>

namespace pingpong::player {

/// "Intel(R) Xeon(R) ... , 2 cores, Linux 6.1.0" for reports.
std::string machine_description();

}  // namespace pingpong::player
