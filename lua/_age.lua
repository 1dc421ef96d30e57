-- Fragment (`-- include: _age.lua`, after _now.lua): a buyer's age in whole years on a day of
-- Redis' clock, from a 'YYYY-MM-DD' birth date (the access token's `birthdate` claim).

-- The civil (proleptic Gregorian) date of a Unix time in ms: Howard Hinnant's days_from_civil
-- inverted, exact for every date after 1970 without any calendar table.
local function civil_date(ms)
  local z = math.floor(ms / 86400000) + 719468
  local era = math.floor(z / 146097)
  local day_of_era = z - era * 146097
  local year_of_era = math.floor((day_of_era - math.floor(day_of_era / 1460) + math.floor(day_of_era / 36524)
    - math.floor(day_of_era / 146096)) / 365)
  local day_of_year = day_of_era - (365 * year_of_era + math.floor(year_of_era / 4) - math.floor(year_of_era / 100))
  local month_index = math.floor((5 * day_of_year + 2) / 153)
  local day = day_of_year - math.floor((153 * month_index + 2) / 5) + 1
  local month = month_index < 10 and month_index + 3 or month_index - 9
  local year = year_of_era + era * 400
  if month <= 2 then year = year + 1 end
  return year, month, day
end

-- nil when the date is not 'YYYY-MM-DD' (the token's claim was checked when it was verified).
local function age_in_years(birthdate, now)
  local birth_year, birth_month, birth_day = string.match(birthdate, '^(%d%d%d%d)-(%d%d)-(%d%d)$')
  if not birth_year then return nil end
  local year, month, day = civil_date(now)
  local age = year - tonumber(birth_year)
  -- Not yet had this year's birthday (one born on 29 February has it on 1 March in other years).
  if month * 100 + day < tonumber(birth_month) * 100 + tonumber(birth_day) then age = age - 1 end
  return age
end
