"""The data tables (subjects, values, events, ratings): read through
data-source plugins (``load``), converted cell by cell with located problems
(``sheet``), kept as typed columns (``tables``); period ids and months on post
(``periods``)."""
