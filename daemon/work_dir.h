// A CLI process's empty private working directory, owned by the run-as user and removed when
// the object goes (after the process has been reaped).
#pragma once

#include <string>

#include "daemon/run_as.h"

namespace ch {

class WorkDir {
  public:
    // <parent>/<name>; on failure path() is "" and error() says why.
    WorkDir(const std::string& parent, const std::string& name, const RunAs& who);
    ~WorkDir();
    WorkDir(const WorkDir&) = delete;
    WorkDir& operator=(const WorkDir&) = delete;

    const std::string& path() const { return path_; }
    const std::string& error() const { return error_; }

  private:
    std::string path_;
    std::string error_;
};

// A session's working directory (and its parents), kept across runs and restarts: created if
// missing and handed to the run-as user. Returns why it could not be, or "".
std::string prepare_session_dir(const std::string& path, const RunAs& who);

}  // namespace ch
