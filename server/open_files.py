"""The process's open-file limit, raised to what the system allows.

Each client connection holds a file; distributions start services with a soft limit of
1,024 files, far below the hard limit they allow, so the bridge raises its own soft
limit to the hard one when it starts.
"""

import resource


def raise_open_file_limit() -> int:
    """Raise the soft ``RLIMIT_NOFILE`` to the hard limit; the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft == hard:
        return soft
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard
