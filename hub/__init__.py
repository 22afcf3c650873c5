"""County hub: the FastAPI service that stations and advisers' laptops sync with."""
