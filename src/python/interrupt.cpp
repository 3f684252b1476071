#include "python/interrupt.h"

namespace tolteca::python {

void check_interrupt() {
  py::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() != 0) throw Interrupted();
}

}  // namespace tolteca::python
