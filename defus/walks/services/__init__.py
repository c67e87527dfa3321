"""The rules of walks and workshops, in plain modules: planning a walk's route (planning.py),
recording it in the field (recording.py), storing photos without their metadata (photos.py),
and workshops (workshops.py). Views and the `defus walks` command only translate requests
into these calls."""
