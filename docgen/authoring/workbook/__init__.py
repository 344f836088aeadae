"""Reading a filled 征集表 workbook for any form: its cells, its sheets' layout, its tables' rows, its problems by cell."""
