"""`python -m beam_jobs.worker`: Beam's SDK worker for the job's local worker processes, with the job's log
settings in place before Beam is imported, where Beam's own options come too late (see beam_jobs.local)."""

import logging
import runpy

from beam_jobs.logs import drop_noise

drop_noise()  # Beam's import warns "apitools not found"
# The worker logs at INFO until it has read its options; of its start-up notes keep warnings and errors.
logging.getLogger("__main__").setLevel(logging.WARNING)
runpy.run_module("apache_beam.runners.worker.sdk_worker_main", run_name="__main__", alter_sys=True)
