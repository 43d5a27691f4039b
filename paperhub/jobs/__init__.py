"""Background work shared by every process of a hub: a task queue in the database (django-tasks), workers that
take tasks one at a time and notice dead workers, a schedule that enqueues each periodic job once per slot
however many workers run it, and leases that let one process of the whole hub do a job at a time."""
