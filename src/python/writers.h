#pragma once
// The writers of tolteca_db._core.Registry: what `ingest directory`, `ingest file`,
// `assoc generate` and `assoc group create|add|remove|delete` do, with the same library calls
// (ingest::ingest_directory / ingest_files, assoc::generate, assoc/named.h) and the same checks.
// Each returns its summary as the JSON text the CLI's --json prints (python/tolteca_db/_writers.py
// makes a dict of it). Every write is the library's: batches of an ingest commit one by one, a
// generation or a group edit in one transaction.
//
// Errors: the library's typed errors phrased as the CLI phrases them (wording/errors.h,
// wording/assoc_errors.h), raised as tolteca_db.Error. A registry opened read-only refuses them.
//
// Interruption: an ingest checks for a pending Python signal (Ctrl-C) at every progress tick (about
// every 0.1 s, python/interrupt.h); it then stops as a forwarded CLI ingest does on Ctrl-C (the batch
// in flight is rolled back, what was committed stays) and the call raises KeyboardInterrupt (or what
// the Python signal handler raised).
#include <pybind11/pybind11.h>

#include "python/registry.h"

namespace tolteca::python {

// Adds ingest_directory, ingest_files, generate_associations and the named_group_* methods.
void define_writers(py::class_<Registry>& cls);

}  // namespace tolteca::python
