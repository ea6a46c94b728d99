"""What-if analysis of capacity: scenarios of a base week, sweeps over them, and the report.

``whatif.changes`` and ``whatif.edits`` are the scenario language (what a
change is and what it does to a week), ``whatif.scenarios`` the scenario files
and their expansion, ``whatif.sweep`` the solves, ``whatif.executors`` where
they run (this process, a process pool or Ray) and ``whatif.report`` the table,
charts and files a manager reads.
"""
