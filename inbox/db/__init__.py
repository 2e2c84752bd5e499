"""Writing below the ORM: bulk inserts and updates from column arrays, text PostgreSQL can store."""
