"""Durable bulk work: lead exports, user sync and CSV imports as jobs in the database.

A job is stored whole (`store.JobStore`: the job and one row per lead or agent) before
anything is sent; a worker (`worker.JobWorker`) claims it, one at a time per job, and
commits each row's state as it changes (`ledger.RowLedger`), so that after a crash the
next worker resumes where the last one stopped without sending a lead twice
(each adapter's traits say whether its dialer refuses duplicates). `lead_export` and `agent_sync`
run the two kinds of job; `states` names the states and counters.
"""
