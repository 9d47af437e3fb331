"""Data for demonstrations and measurements. Never runs under the production configuration."""
