"""Invoices and collections of the success app: the billing schedule of a contract, invoices with the
Korean tax invoice fields (공급가액, 세액 10 %, 합계, the buyer's 사업자등록번호, the 세금계산서 issue
date), payments, and overdue invoices by aging bucket."""
