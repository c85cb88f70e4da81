// How a process of ours meets a file-size limit (`ulimit -f`, RLIMIT_FSIZE): as a write
// error, never as SIGXFSZ, whose default action kills the process mid-write (the GUI with
// every run it holds, the CLI before it marks its run file failed).
#pragma once

namespace sweet {

// Ignores SIGXFSZ for the whole process: a write past the limit then fails with EFBIG
// ("File too large"), which the run's writers report like a full disk (a clean stop naming
// the file). Call once at start-up, before any thread is started.
void treatFileSizeLimitAsWriteError();

}  // namespace sweet
