// What /proc and getrusage say about a process and the machine: memory (status, smaps,
// smaps_rollup), CPU time, TCP counters, the CPU model and the load average.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace bench {

struct Memory {
    long rss_kb = 0, hwm_kb = 0, anon_kb = 0, file_kb = 0, shmem_kb = 0, pss_kb = 0;
    long pss_anon_kb = 0, pss_file_kb = 0, vm_kb = 0, threads = 0;
};

// /proc/<pid>/status and smaps_rollup.
Memory memory_of(pid_t pid);

// Resident, anonymous (copy-on-write: relocations, .data, .bss) and proportional kB per mapped
// file, and per [heap], [stack] and [anon] (thread stacks, malloc arenas); largest Rss first.
struct MappingUse {
    std::string name;
    long rss_kb = 0, anon_kb = 0, pss_kb = 0;
};

std::vector<MappingUse> rss_by_mapping(pid_t pid);

// utime+stime of the process (all threads) and of its reaped children, in ms.
std::pair<double, double> cpu_ms_of(pid_t pid);

// CPU time (user+system, ms) of the bench's reaped children: the directly spawned CLIs.
double children_cpu_ms();

// A TcpExt counter of this network namespace, e.g. ListenOverflows: connections dropped
// because a listening socket's accept queue was full.
long tcp_ext(const std::string& counter);
long listen_overflows();

// "nproc N, <CPU model>, Linux <release>"
std::string machine_line();

// The three load averages of /proc/loadavg.
std::string loadavg();

}  // namespace bench
