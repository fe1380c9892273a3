// What all checks share, and the first of them: the configuration file.
#include "ctl/doctor_checks.h"

namespace ch::ctl {

const char* status_name(Status s) {
    switch (s) {
        case Status::kOk:
            return "ok";
        case Status::kWarn:
            return "warn";
        case Status::kFail:
            break;
    }
    return "fail";
}

Check check_config(const std::string& path, Config* config) {
    ConfigLoad load = load_config_file(path);
    if (!load.ok()) {
        std::string detail = path + " is not valid:";
        for (const auto& e : load.errors)
            detail += "\n" + e;
        return {"config", Status::kFail, detail,
                "correct the file; `claude-harnessctl check-config " + path + "` checks it again"};
    }
    *config = std::move(load.config);
    return {"config", Status::kOk, path + " is valid", ""};
}

}  // namespace ch::ctl
