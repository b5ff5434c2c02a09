"""Adapters to PostgreSQL (SQLAlchemy Core over psycopg) and Kafka (aiokafka)."""
