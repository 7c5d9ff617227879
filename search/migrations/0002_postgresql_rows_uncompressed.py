from django.db import migrations


def keep_rows_uncompressed(apps, schema_editor):
    """PostgreSQL compresses any row over 2 kB, and a search would then decompress every row of its language
    (Thai text is three bytes a letter). Rows under 8 kB stay as written: Thai searches at 5,000 pages ran in
    half the time (bench/search.py). SQLite never compresses."""
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name("search_searchdocument")
        schema_editor.execute(f"ALTER TABLE {table} SET (toast_tuple_target = 8160)")


def compress_rows_again(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name('search_searchdocument')} RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(keep_rows_uncompressed, compress_rows_again)]
