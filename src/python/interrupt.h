#pragma once
// Ctrl-C during a long call that runs without the GIL: Python's own SIGINT handler only notes the
// signal; the call asks for it at its progress ticks and stops by throwing.
#include <pybind11/pybind11.h>

#include <exception>

namespace tolteca::python {

namespace py = pybind11;

// Thrown by check_interrupt(); the Python exception (KeyboardInterrupt, or what the signal handler
// raised) is left set on this thread, and the exception translator (module.cpp) lets it through.
struct Interrupted : std::exception {
  const char* what() const noexcept override { return "interrupted"; }
};

// Called without the GIL: takes it, runs the pending Python signal handlers (PyErr_CheckSignals;
// they run on the main thread only) and throws Interrupted when one raised.
void check_interrupt();

}  // namespace tolteca::python
