// Exit statuses of claude-harnessctl, the same for every verb so scripts can rely on them.
#pragma once

namespace ch::ctl {

enum Exit {
    kOk = 0,          // the verb did what was asked; a check found nothing wrong
    kFailure = 1,     // it could not, or a check failed (the reason is on stderr)
    kUsage = 2,       // the command line was wrong (unknown verb, option or value)
    kNotRunning = 3,  // the verb needs claude-harnessd and it is not running
    kNotReady = 4,    // the daemon runs but is not ready (no provider can run jobs)
};

}  // namespace ch::ctl
