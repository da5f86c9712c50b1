-- wrk script: POST /api/track with a raw JSON body (as the PHP client and Magento 2 send it),
-- a new event id every time so that no call is a duplicate, over 1,000 profiles.
local counter = 0
math.randomseed(os.time())
request = function()
  counter = counter + 1
  local body = string.format(
    '{"token":"AbC123","event":"Placed Order","customer_properties":{"$email":"p%d@example.com"},'
      .. '"properties":{"$event_id":"%d-%d","$value":10}}',
    counter % 1000, counter, math.random(1, 1000000000))
  return wrk.format("POST", "/api/track", {["Content-Type"] = "application/json"}, body)
end
