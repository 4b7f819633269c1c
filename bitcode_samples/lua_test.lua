-- lua_test.lua: a deterministic workload for the Lua 5.4 interpreter built by
-- `python3 bitcode_samples/build.py lua`; run as `lua -E - < lua_test.lua`, so the
-- chunk is "stdin" in messages wherever the checkout lives.  Nothing here prints
-- an address, a time or an order that depends on string hashing (pairs is
-- always followed by a sort): the output is the same on every run and build.

local function section(name) print(("== %s =="):format(name)) end

section("numbers")
print(_VERSION, math.type(1), math.type(1.0), math.type("1"))
print(7 // 2, -7 // 2, 7 % -3, -7 % 3, 7.5 // 2, 2^10, 10 / 4, 3 % math.huge)
print(math.maxinteger + 1 == math.mininteger, math.maxinteger // -1, math.mininteger // -1)
print(0x7fffffff << 1, 0xff ~ 0x0f, ~0, 1 << 63, (1 << 63) >> 63, -1 >> 60, 5 & 3, 5 | 3)
print(math.tointeger(3.0), math.tointeger(3.5), 3 == 3.0, "10" + 5, "3" * "4", 10 .. 20, "0x10" + 0)
print(tostring(1/0), tostring(-1/0), 0/0 ~= 0/0, math.huge == 1/0, 2^53 + 1 == 2^53)
print(math.floor(-3.5), math.ceil(-3.5), math.abs(-7), math.fmod(-7, 3), math.fmod(7, -3), math.fmod(7.5, 2))
print(string.format("%.10f %.10f %.10f %.10f", math.sin(1), math.exp(1), math.log(10, 2), math.atan(1, 2)))
print(math.ult(1, -1), 5 // 0.0, -5 // 0.0, pcall(function() local z = 0 return 5 // z end))
print(math.max(3, 9.5, -1), math.min(3, 9.5, -1), 1e15, 1e16, 123456789012, 0.1 + 0.2, -0.0)
print(tonumber("  0x1p4  "), tonumber("1e2"), tonumber("z", 36), tonumber("777", 8), tonumber("12a"), tonumber(""))
for i = math.maxinteger - 2, math.maxinteger do io.write(i, " ") end print()
for x = 1, 0, -0.25 do io.write(x, " ") end print()

section("strings")
local s = "The quick brown fox jumps over the lazy dog"
print(#s, s:upper(), s:lower():reverse())
print(s:find("quick"), s:find("o", 20, true), s:match("(%a+) dog$"), s:sub(-8, -5), s:sub(100))
local words = {}
for w in s:gmatch("%a+") do words[#words + 1] = w end
print(#words, table.concat(words, ","))
print((s:gsub("%w+", function(w) return #w > 4 and w:upper() or nil end)))
print(s:gsub("(%w)(%w*)", "%2%1ay"))
print(("hello world from lua"):gsub("(%w+) (%w+)", "%2 %1"))
print(("$name is $age"):gsub("%$(%w+)", {name = "Ada", age = 36}))
print(("x"):rep(5, "-"), ("abc"):byte(1, -1), string.char(72, 105), ("%d items"):format(3))
print(string.format("[%-10s|%10s|%5.1s]", "left", "right", "abc"), ("%5.2f|%-5d|%05x|%+d"):format(math.pi, 42, 255, 7))
print(("  trim me  "):match("^%s*(.-)%s*$") .. "!", ("key = value"):match("^(%w+)%s*=%s*(%w+)$"))
print(string.format("%q", "a\nb\"c\0d"), string.format("%q", 1/3), string.format("%q", math.mininteger))
print(string.format("%a %g %g %e %i %c%c", 1.0, 1e300 * 10, 2^63, 12345.678, -3, 76, 117))
print(utf8.char(72, 228, 8364, 128512), utf8.len("häll€"), utf8.codepoint("€", 1), utf8.len("\xff"))
for p, c in utf8.codes("aé€") do io.write(p, ":", c, " ") end print()
print(("f(a(b)c)d"):match("%b()"), ("THE (quick) fox"):find("%f[%a]%a+%f[%A]", 5), ("a,b,,c"):gsub(",", ";", 2))
local packed = string.pack("<i4 d s1 z B", -2, 3.5, "hi", "zero", 255)
print(#packed, string.unpack("<i4 d s1 z B", packed))
print(string.packsize("<i4 i8 d"), string.unpack(">I2", "\1\2"), pcall(string.rep))
print(("abc"):len(), ("abc") < ("abd"), ("Z") < ("a"), ("") == (""), ("10") < ("9"))

section("tables")
local t = {}
for i = 1, 20 do t[i] = (i * 7919) % 101 end
table.sort(t)
print(table.concat(t, " "))
table.sort(t, function(a, b) return a > b end)
print(table.concat(t, " ", 1, 10))
table.insert(t, 1, -1)
table.insert(t, 99)
print(#t, t[1], t[#t], table.remove(t, 1), table.remove(t), #t)
print(table.unpack(table.move({1, 2, 3, 4, 5}, 2, 4, 1)))
print(select("#", table.unpack({1, nil, 3}, 1, 3)), select(-1, "a", "b", "c"), table.pack(1, nil, 3).n)
local text = [[
It was the best of times, it was the worst of times, it was the age of wisdom,
it was the age of foolishness, it was the epoch of belief, it was the epoch of
incredulity, it was the season of Light, it was the season of Darkness, it was
the spring of hope, it was the winter of despair, we had everything before us,
we had nothing before us, we were all going direct to Heaven, we were all going
direct the other way]]
local freq = {}
for w in text:lower():gmatch("%a+") do freq[w] = (freq[w] or 0) + 1 end
local keys = {}
for k in pairs(freq) do keys[#keys + 1] = k end
table.sort(keys, function(a, b) if freq[a] ~= freq[b] then return freq[a] > freq[b] end return a < b end)
for i = 1, 12 do io.write(keys[i], "=", freq[keys[i]], " ") end print()
print(#keys)
local people = {
  {name = "ann", age = 31}, {name = "bob", age = 25}, {name = "cid", age = 31},
  {name = "dee", age = 25}, {name = "eve", age = 40}, {name = "fay", age = 19},
}
table.sort(people, function(a, b) if a.age ~= b.age then return a.age < b.age end return a.name > b.name end)
for _, p in ipairs(people) do io.write(p.name, ":", p.age, " ") end print()
local grid = {}
for i = 1, 5 do grid[i] = {} for j = 1, 5 do grid[i][j] = i * j end end
local diag = {}
for i = 1, 5 do diag[i] = grid[i][6 - i] end
print(table.concat(diag, ","), #grid, #grid[3])

section("closures")
local function counter(start, step)
  local n = start
  return function() n = n + step return n end
end
local c1, c2 = counter(0, 1), counter(100, -3)
print(c1(), c1(), c2(), c1(), c2())
local function memoize(f)
  local cache, calls = {}, 0
  return function(n)
    local v = cache[n]
    if v == nil then calls = calls + 1 v = f(n) cache[n] = v end
    return v
  end, function() return calls end
end
local fib, fibcalls
fib, fibcalls = memoize(function(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end)
print(fib(90), fibcalls())
local function compose(...)
  local fs = {...}
  return function(x) for i = #fs, 1, -1 do x = fs[i](x) end return x end
end
print(compose(function(x) return x * 2 end, function(x) return x + 3 end)(10))
local function curry3(f) return function(a) return function(b) return function(c) return f(a, b, c) end end end end
print(curry3(function(a, b, c) return a .. b .. c end)("x")("y")("z"))
local adders = {}
for i = 1, 5 do adders[i] = function(x) return x + i end end
print(adders[1](10), adders[5](10))
local function va(...) return select("#", ...), ... end
print(va(nil, nil))
print(pcall(select, 0))
local function sum(...) local s = 0 for _, v in ipairs({...}) do s = s + v end return s end
print(sum(1, 2, 3, 4.5), sum())
local function map(f, xs) local r = {} for i, x in ipairs(xs) do r[i] = f(x) end return r end
local function filter(p, xs) local r = {} for _, x in ipairs(xs) do if p(x) then r[#r + 1] = x end end return r end
local function reduce(f, acc, xs) for _, x in ipairs(xs) do acc = f(acc, x) end return acc end
local nums = {}
for i = 1, 30 do nums[i] = i end
print(reduce(function(a, b) return a + b end, 0, map(function(x) return x * x end, filter(function(x) return x % 3 == 0 end, nums))))

section("metatables")
local Vec = {}
Vec.__index = Vec
function Vec.new(x, y) return setmetatable({x = x, y = y}, Vec) end
function Vec.__add(a, b) return Vec.new(a.x + b.x, a.y + b.y) end
function Vec.__mul(a, k) if type(a) == "number" then a, k = k, a end return Vec.new(a.x * k, a.y * k) end
function Vec.__eq(a, b) return a.x == b.x and a.y == b.y end
function Vec.__lt(a, b) return a:len2() < b:len2() end
function Vec.__le(a, b) return a:len2() <= b:len2() end
function Vec.__tostring(v) return ("(%g, %g)"):format(v.x, v.y) end
function Vec.__len() return 2 end
function Vec.__unm(v) return Vec.new(-v.x, -v.y) end
function Vec.__concat(a, b) return tostring(a) .. tostring(b) end
function Vec.__idiv(a, k) return Vec.new(a.x // k, a.y // k) end
function Vec:len2() return self.x * self.x + self.y * self.y end
local a, b = Vec.new(1, 2), Vec.new(3, -4)
print(tostring(a + b), tostring(2 * a), tostring(-b), a == Vec.new(1, 2), a < b, b <= a, #a, a .. b, tostring(b // 2))
local Animal = {}
Animal.__index = Animal
function Animal.new(name, sound) return setmetatable({name = name, sound = sound}, Animal) end
function Animal:speak() return self.name .. " says " .. self.sound end
local Dog = setmetatable({}, {__index = Animal})
Dog.__index = Dog
function Dog.new(name) return setmetatable(Animal.new(name, "woof"), Dog) end
function Dog:fetch() return self.name .. " fetches" end
local d = Dog.new("Rex")
print(d:speak(), d:fetch(), getmetatable(d) == Dog, rawget(d, "speak"), rawequal(d, d), rawlen({1, 2}))
local log = {}
local proxy = setmetatable({}, {
  __index = function(_, k) log[#log + 1] = "get " .. tostring(k) return k == "answer" and 42 or nil end,
  __newindex = function(tbl, k, v) log[#log + 1] = "set " .. tostring(k) rawset(tbl, k, v) end,
  __call = function(_, x) return "called with " .. x end,
})
print(proxy.answer, proxy.missing, proxy(7))
proxy.z = 1
print(proxy.z, table.concat(log, ";"))
local ro = setmetatable({}, {__index = {a = 1}, __newindex = function() error("read-only table", 2) end})
print(ro.a, pcall(function() ro.b = 2 end))
print(getmetatable("abc").__index == string, ("x"):upper(), #setmetatable({}, {__len = function() return 99 end}))
local named = setmetatable({}, {__name = "MyType"})
print((tostring(named):gsub(": 0x%x+", ": ADDR")), (tostring(print):gsub("0x%x+", "ADDR")):sub(1, 10))

section("coroutines")
local function gen(n)
  return coroutine.wrap(function() for i = 1, n do coroutine.yield(i * i) end return "done" end)
end
local g = gen(4)
print(g(), g(), g(), g(), g())
local co = coroutine.create(function(x, y)
  local c = coroutine.yield(x + y)
  local dd, e = coroutine.yield(c * 2)
  return dd + e
end)
print(coroutine.resume(co, 1, 2))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, 3, 4))
print(coroutine.resume(co))
print(coroutine.status(co))
local function producer(items)
  return coroutine.wrap(function() for _, v in ipairs(items) do coroutine.yield(v) end end)
end
local function cfilter(src, pred)
  return coroutine.wrap(function() for v in src do if pred(v) then coroutine.yield(v) end end end)
end
local function cmap(src, f) return coroutine.wrap(function() for v in src do coroutine.yield(f(v)) end end) end
local out = {}
for v in cmap(cfilter(producer({5, 8, 13, 21, 34, 55, 89}), function(v) return v % 2 == 1 end), function(v) return v * 10 end) do
  out[#out + 1] = v
end
print(table.concat(out, " "))
local bad = coroutine.create(function() error({code = 7}) end)
local ok, err = coroutine.resume(bad)
print(ok, type(err), err.code, coroutine.status(bad))
print(coroutine.isyieldable(), select(2, coroutine.running()))
local depth = 0
local function nested(n) if n == 0 then return coroutine.yield("bottom") end depth = depth + 1 return nested(n - 1) end
local nco = coroutine.wrap(function() return nested(50) end)
print(nco(), depth, nco("back up"))
local closing = coroutine.create(function()
  local _ <close> = setmetatable({}, {__close = function() print("closed by coroutine.close") end})
  coroutine.yield(1)
end)
coroutine.resume(closing)
print(coroutine.close(closing), coroutine.status(closing))

section("errors")
print(pcall(error, "plain", 0))
print(pcall(function() local x = nil return x.field end))
print(pcall(function() return 1 + {} end))
print(pcall(function() return #nil end))
print(pcall(function() return ("x") < 1 end))
print(pcall(function() local up = "s" return up() end))
print(select("#", pcall(error, nil)), pcall(error))
print(xpcall(function() error("deep") end, function(m) return "handled: " .. m end))
print(pcall(string.rep, "x", -1), pcall(string.format, "%d", 1.5))
local ok2, e2 = pcall(error, setmetatable({}, {__tostring = function() return "custom error" end}))
print(ok2, tostring(e2))
local function check(x) if type(x) ~= "number" then error("expected number, got " .. type(x), 2) end return x end
print(pcall(function() return check("s") end))
print(pcall(setmetatable, 1, {}), pcall(ipairs))
do
  local order = {}
  local function closer(name)
    return setmetatable({}, {__close = function(_, e) order[#order + 1] = name .. (e and ":err" or "") end})
  end
  do
    local _ <close> = closer("a")
    local _ <close> = closer("b")
  end
  pcall(function() local _ <close> = closer("c") error("boom") end)
  print(table.concat(order, " "))
end
local K <const> = 10
print(K * 2)
local function traced() error("with traceback") end
local _, tb = xpcall(traced, debug.traceback)
print((tb:gsub("\n.*", "")), select(2, tb:gsub("\n", "\n")) > 1)
print(debug.getinfo(1, "l").currentline, debug.getinfo(print).what, debug.getinfo(traced, "S").linedefined)

section("load")
local f = load("local a, b = ... return a * b + 1")
print(f(6, 7))
print(load("syntax error here"))
print(load("return 1 +", "=mychunk"))
local env = {x = 5}
print(load("return x * 2", "chunk", "t", env)())
local parts, pi = {"return ", "1", " + ", "2", " * 3"}, 0
print(load(function() pi = pi + 1 return parts[pi] end)())
local dumped = string.dump(function(n) local acc = 0 for k = 1, n do acc = acc + k * k end return acc end, true)
print(#dumped > 0, load(dumped, "dumped", "b")(100))
print(load(dumped, "x", "t"))
local src = {}
for i = 1, 50 do src[#src + 1] = ("local v%d = %d"):format(i, i * i) end
src[#src + 1] = "return v1 + v25 + v50"
print(load(table.concat(src, "\n"))())

section("algorithms")
local function sieve(n)
  local is = {}
  for i = 2, n do is[i] = true end
  for i = 2, math.floor(math.sqrt(n)) do
    if is[i] then for j = i * i, n, i do is[j] = false end end
  end
  local ps = {}
  for i = 2, n do if is[i] then ps[#ps + 1] = i end end
  return ps
end
local ps = sieve(30000)
print(#ps, ps[#ps], ps[1000])
local function queens(n)
  local count, cols, d1, d2 = 0, {}, {}, {}
  local function place(r)
    if r > n then count = count + 1 return end
    for c = 1, n do
      if not cols[c] and not d1[r + c] and not d2[r - c + n] then
        cols[c], d1[r + c], d2[r - c + n] = true, true, true
        place(r + 1)
        cols[c], d1[r + c], d2[r - c + n] = false, false, false
      end
    end
  end
  place(1)
  return count
end
print(queens(6), queens(8))
for y = -1.2, 1.21, 0.2 do
  local row = {}
  for x = -2.0, 0.6, 0.05 do
    local zr, zi, k = 0.0, 0.0, 0
    while k < 50 and zr * zr + zi * zi < 4 do zr, zi = zr * zr - zi * zi + x, 2 * zr * zi + y k = k + 1 end
    row[#row + 1] = k >= 50 and "#" or (k > 10 and "+" or (k > 4 and "." or " "))
  end
  print((table.concat(row):gsub("%s+$", "")))
end
math.randomseed(42)
local arr = {}
for i = 1, 3000 do arr[i] = math.random(1, 1000000) end
local function qsort(v, lo, hi)
  if lo >= hi then return end
  local p, i = v[(lo + hi) // 2], lo
  local j = hi
  while i <= j do
    while v[i] < p do i = i + 1 end
    while v[j] > p do j = j - 1 end
    if i <= j then v[i], v[j] = v[j], v[i] i = i + 1 j = j - 1 end
  end
  qsort(v, lo, j)
  qsort(v, i, hi)
end
qsort(arr, 1, #arr)
local sorted, h = true, 0
for i = 1, #arr do
  if i > 1 and arr[i - 1] > arr[i] then sorted = false end
  h = (h * 31 + arr[i]) % 1000000007
end
print(sorted, arr[1], arr[#arr], h, math.random(0), math.random(10), math.random() < 1)
local function bigfact(n)
  local digits = {1}
  for k = 2, n do
    local carry = 0
    for i = 1, #digits do
      local v = digits[i] * k + carry
      digits[i] = v % 10
      carry = v // 10
    end
    while carry > 0 do digits[#digits + 1] = carry % 10 carry = carry // 10 end
  end
  local r = {}
  for i = #digits, 1, -1 do r[#r + 1] = digits[i] end
  return table.concat(r)
end
local f100 = bigfact(100)
print(#f100, f100:sub(1, 30), f100:sub(-30))
local function editdist(x, y)
  local prev = {}
  for j = 0, #y do prev[j] = j end
  for i = 1, #x do
    local cur = {[0] = i}
    for j = 1, #y do
      local cost = x:sub(i, i) == y:sub(j, j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    end
    prev = cur
  end
  return prev[#y]
end
print(editdist("kitten", "sitting"), editdist("partitioned", "repetition"), editdist("", "abc"))
local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function b64(data)
  local o = {}
  for i = 1, #data, 3 do
    local x, y, z = data:byte(i, i + 2)
    local n = (x << 16) | ((y or 0) << 8) | (z or 0)
    for k = 3, 0, -1 do
      local idx = (n >> (6 * k)) & 63
      o[#o + 1] = B64:sub(idx + 1, idx + 1)
    end
  end
  local pad = (3 - #data % 3) % 3
  return table.concat(o):sub(1, #o - pad) .. ("="):rep(pad)
end
print(b64("pcodegen"), b64("Lua 5.4!"), b64("ab"))
local function bf(prog)
  local tape, ptr, pc, outp, jump, stack = {}, 1, 1, {}, {}, {}
  for i = 1, #prog do
    local ch = prog:sub(i, i)
    if ch == "[" then stack[#stack + 1] = i elseif ch == "]" then local j = table.remove(stack) jump[i], jump[j] = j, i end
  end
  while pc <= #prog do
    local ch = prog:sub(pc, pc)
    if ch == ">" then ptr = ptr + 1
    elseif ch == "<" then ptr = ptr - 1
    elseif ch == "+" then tape[ptr] = ((tape[ptr] or 0) + 1) % 256
    elseif ch == "-" then tape[ptr] = ((tape[ptr] or 0) - 1) % 256
    elseif ch == "." then outp[#outp + 1] = string.char(tape[ptr] or 0)
    elseif ch == "[" and (tape[ptr] or 0) == 0 then pc = jump[pc]
    elseif ch == "]" and (tape[ptr] or 0) ~= 0 then pc = jump[pc]
    end
    pc = pc + 1
  end
  return table.concat(outp)
end
print(bf("++++++++[>++++[>++>+++>+++>+<<<<-]>+>+>->>+[<]<-]>>.>---.+++++++..+++.>>.<-.<.+++.------.--------.>>+."))
local function encode(v, indent)
  indent = indent or ""
  local tv = type(v)
  if tv == "table" then
    if #v > 0 or next(v) == nil then
      local items = {}
      for _, x in ipairs(v) do items[#items + 1] = encode(x, indent) end
      return "[" .. table.concat(items, ",") .. "]"
    end
    local ks = {}
    for k in pairs(v) do ks[#ks + 1] = k end
    table.sort(ks)
    local items = {}
    for _, k in ipairs(ks) do items[#items + 1] = ("%q:%s"):format(k, encode(v[k], indent)) end
    return "{" .. table.concat(items, ",") .. "}"
  elseif tv == "string" then return ("%q"):format(v)
  elseif tv == "number" then return math.type(v) == "integer" and tostring(v) or ("%.14g"):format(v)
  else return tostring(v) end
end
print(encode({name = "lua", list = {1, 2.5, "three", true}, nested = {a = {b = {c = "deep"}}}, empty = {}, n = -0.125}))
local goto_out = {}
for i = 1, 10 do
  if i % 3 == 0 then goto continue end
  goto_out[#goto_out + 1] = i
  ::continue::
end
print(table.concat(goto_out, ","))

section("io and os")
local fh = io.tmpfile()
fh:write("line one\n", 42, " ", 3.5, "\nline three\n", "tail")
fh:seek("set")
for l in fh:lines() do io.write("[", l, "]") end
print()
fh:seek("set", 9)
print(fh:read("n", "n"), fh:read("l"), fh:read("L"), fh:read(2), fh:read("a"), fh:read("l"), fh:seek("end"))
fh:close()
print(io.type(fh), io.type(io.stdout), io.type(42), pcall(fh.read, fh))
print(os.date("!%Y-%m-%d %H:%M:%S %A %j", 1000000000), type(os.time()), os.getenv("PCG_SURELY_UNSET_VARIABLE"))
local dt = os.date("!*t", 86400 * 366)
print(dt.year, dt.month, dt.day, dt.yday, dt.wday, dt.isdst)
io.write(string.format("%s %d %5.3f\n", "io.write", 7, 2 / 3))

section("gc")
local weak = setmetatable({}, {__mode = "k"})
local keep = {}
local function fill()
  for i = 1, 10 do local k = {} weak[k] = i if i % 2 == 0 then keep[#keep + 1] = k end end
end
fill()
collectgarbage()
collectgarbage()
local n, s2 = 0, 0
for _, v in pairs(weak) do n = n + 1 s2 = s2 + v end
print("weak entries", n, s2, collectgarbage("isrunning"), math.type(collectgarbage("count")))
do
  local gone = setmetatable({}, {__gc = function() print("finalizer ran during collect") end})
  gone = nil
end
collectgarbage()
FINAL = setmetatable({}, {__gc = function() print("finalizer ran at close") end})
local big = {}
for i = 1, 20000 do big[i] = {i, tostring(i)} end
big = nil
collectgarbage("generational")
for i = 1, 5000 do local tmp = {i} tmp[2] = tmp end
collectgarbage("incremental")
print("done")
