from country_profiles.cli import console

console()
