import { View, Text } from '@tarojs/components'
export default function Checkout() { return <View><Text>收银台 {process.env.TARO_APP_API_BASE || 'mock'}</Text></View> }
