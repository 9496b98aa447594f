"""The one runner for long work: a job table, kinds as data, a loop in the scheduler process.

`service` is the only module that writes the job table; `queries` reads it for the console;
`registry` maps each kind to the function that does the work; `runner` claims and runs jobs.
"""
