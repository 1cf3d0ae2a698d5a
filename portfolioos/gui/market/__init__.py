"""Parts of the Markets page: the FRED panel and the manual price dialog."""
