"""Statistics, reports and reminders (Qt-free).

* :mod:`.periods` — period and scope parsing
* :mod:`.figures` — the SQL aggregations and the definitions of every figure
* :mod:`.model` — the report as plain titled tables (for XLSX, PDF, GUI, hub)
* :mod:`.closures` — closing/submitting a period, corrections afterwards
* :mod:`.reminders` — what is due (工作台, ``station due``)
* :mod:`.xlsx`, :mod:`.text` — renderers; :mod:`.service` — ``Station.reports``
"""
