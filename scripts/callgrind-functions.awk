# Prints, once each and in the order first seen, the symbol of every
# function that callgrind output files (--demangle=no) show executed in an
# object whose path ends in "/" object ("-v object=routeros-mcp").
# callgrind names an object or function in full the first time, as
# "ob=(id) name", and by "(id)" alone after that; ob/cob share one table
# and fn/cfn another. Cost lines belong to the last ob= and fn= given.
function name_of(table, value,    id) {
  if (value !~ /^\([0-9]+\)/)
    return value
  id = substr(value, 2, index(value, ")") - 2)
  if (index(value, ") ") > 0)
    table[id] = substr(value, index(value, ") ") + 2)
  return table[id]
}
FNR == 1 { split("", objects); split("", functions); current = "" }
/^c?ob=/ {
  name = name_of(objects, substr($0, index($0, "=") + 1))
  if (substr($0, 1, 3) == "ob=")
    current = name
  next
}
/^c?fn=/ {
  name = name_of(functions, substr($0, index($0, "=") + 1))
  if (substr($0, 1, 3) == "fn=" && name !~ /^0x/ && !(name in seen) \
      && substr(current, length(current) - length(object)) == "/" object) {
    seen[name] = 1
    print name
  }
}
